using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.IO;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using SkiaSharp;

namespace CnnSentinel.Evaluation.Assessment;

/// <summary>
/// A class map (what <c>classify</c> writes) assessed against reference data at the level of coarse groups, as land-cover
/// practice does it (Olofsson et al. 2014): the confusion matrix with a row for Uncertain, each mask and nodata (never
/// dropped: those samples count as wrong), overall, user's and producer's accuracy from the sample counts, the same
/// area-weighted with the map's classes as strata and 95 % confidence intervals, each group's estimated area, and the
/// accuracy against coverage as the Uncertain threshold varies.
/// </summary>
/// <remarks>
/// The headline (<see cref="Headline"/>) is the share of reference samples that are right, with its Wilson interval: every
/// sample counted, whatever the map says there. The area-weighted figures take the whole map as the assessed extent
/// (W_i = the share of all its pixels, nodata included, in stratum i); they treat the samples as if drawn at random within
/// each stratum, which reference points and labelled polygons are not, so read them as estimates of what a proper sample
/// would give.
/// </remarks>
public sealed class MapAssessment
{
    /// <summary>The Uncertain thresholds of the accuracy–coverage curve.</summary>
    public static IReadOnlyList<double> CoverageThresholds { get; } = Enumerable.Range(0, 10).Select(i => i / 10.0).ToList();

    /// <summary>The name of the nodata row.</summary>
    public const string NoDataRow = "nodata";

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    MapAssessment() { }

    /// <summary>The class map.</summary>
    public required string MapPath { get; init; }

    /// <summary>The probability map used for the coverage curve and the threshold; null when there was none.</summary>
    public string? ProbabilityPath { get; init; }

    /// <summary>The threshold applied to the map before scoring; null when the map was scored as it is.</summary>
    public double? UncertainBelow { get; init; }

    /// <summary>The reference data on the map's grid.</summary>
    internal ReferenceSamples Reference { get; init; } = null!;

    /// <summary>The mapping of reference and map classes to groups.</summary>
    internal ClassGroupMapping Mapping { get; init; } = null!;

    /// <summary>Where the groups came from (a file, or the built-in mapping).</summary>
    public string MappingSource => Mapping.Source;

    /// <summary>The map's values as scored (the class map with <see cref="UncertainBelow"/> applied), row after row, <see cref="MapWidth"/> to a row.</summary>
    public required byte[] ScoredClasses { get; init; }

    /// <summary>The map's columns.</summary>
    public required int MapWidth { get; init; }

    /// <summary>The groups: the confusion matrix's columns and its first rows.</summary>
    public required IReadOnlyList<string> Groups { get; init; }

    /// <summary>The confusion matrix's rows: the groups, Uncertain, each mask, nodata.</summary>
    public IReadOnlyList<string> Rows => [.. Groups, .. ClassLegend.Masks.Select(m => m.Name), NoDataRow];

    /// <summary>Samples by map row and reference group.</summary>
    public required long[,] Counts { get; init; }

    /// <summary>The map's pixels in each row (its strata's sizes).</summary>
    public required IReadOnlyList<long> MapRowPixels { get; init; }

    /// <summary>The map's pixels.</summary>
    public long MapPixels => MapRowPixels.Sum();

    /// <summary>The area of one map pixel, in square units of its coordinate system.</summary>
    public required double PixelArea { get; init; }

    /// <summary>Metres per unit of the map's coordinate system; null for a geographic one.</summary>
    public required double? MetresPerUnit { get; init; }

    /// <summary>The reference samples on the map.</summary>
    public long Samples => Reference.Pixels.LongLength;

    /// <summary>Samples whose map group is their reference group.</summary>
    public long Correct => Enumerable.Range(0, Groups.Count).Sum(g => Counts[g, g]);

    /// <summary>Whether reference sample <paramref name="sample"/> is right: the scored map holds a class of its group there (Uncertain, masks and nodata are wrong).</summary>
    public bool IsRight(int sample) =>
        ScoredClasses[Reference.Pixels[sample]] is var value && value < EuroSatClasses.Count && Mapping.GroupOfMapClass(value) == Reference.Groups[sample];

    /// <summary>Share of the samples that are right (every sample counted).</summary>
    public double OverallAccuracy => Samples > 0 ? (double)Correct / Samples : double.NaN;

    /// <summary>The 95 % Wilson interval of <see cref="OverallAccuracy"/>.</summary>
    public (double Low, double High) OverallInterval => ResultsTable.WilsonInterval(OverallAccuracy, (int)Math.Min(Samples, int.MaxValue));

    /// <summary>Samples on Uncertain pixels.</summary>
    public long UncertainSamples => RowTotal(Groups.Count);

    /// <summary>Samples on cloud, cirrus, cloud-shadow or snow pixels.</summary>
    public long MaskedSamples => Enumerable.Range(Groups.Count + 1, ClassLegend.Masks.Count - 1).Sum(RowTotal);

    /// <summary>Samples on nodata pixels.</summary>
    public long NoDataSamples => RowTotal(Rows.Count - 1);

    /// <summary>Share of the samples on Uncertain pixels.</summary>
    public double UncertainShare => Samples > 0 ? (double)UncertainSamples / Samples : double.NaN;

    /// <summary>Share of the samples on masked pixels.</summary>
    public double MaskedShare => Samples > 0 ? (double)MaskedSamples / Samples : double.NaN;

    /// <summary>
    /// What a window classifier can reach here at best by area: the share of samples whose reference group is also the
    /// most common reference group among the samples of the <paramref name="window"/> × <paramref name="window"/> square
    /// centred on them (clipped to the map; a tie goes to the group listed first). A perfect classifier of whole windows,
    /// one that names each window's main land cover, scores this. Null for points: too sparse to tell a window's make-up.
    /// </summary>
    /// <remarks>Why: a map that gives each pixel its window's class cannot delineate land covers smaller than the window,
    /// so on a reference of small fields in forest the figure shows how much of the gap to the reference is the window's
    /// size, not the network.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is below 1.</exception>
    public double? WindowMajorityAccuracy(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        if (Reference.Kind == ReferenceKind.Points || Samples == 0) return null;
        int width = MapWidth, height = ScoredClasses.Length / MapWidth, groups = Groups.Count;
        // Per group, a summed-area table of its samples (stride width + 1): any square's count in four look-ups.
        int stride = width + 1;
        var sums = new int[groups][];
        for (int g = 0; g < groups; g++) sums[g] = new int[(height + 1) * stride];
        for (int i = 0; i < Reference.Pixels.Length; i++)
            sums[Reference.Groups[i]][(Reference.Pixels[i] / width + 1) * stride + Reference.Pixels[i] % width + 1]++;
        foreach (var table in sums)
            for (int y = 1; y <= height; y++)
                for (int x = 1; x <= width; x++)
                    table[y * stride + x] += table[(y - 1) * stride + x] + table[y * stride + x - 1] - table[(y - 1) * stride + x - 1];
        int before = window / 2, after = window - before; // the square [centre − before, centre + after)
        long right = 0;
        for (int i = 0; i < Reference.Pixels.Length; i++)
        {
            int row = Reference.Pixels[i] / width, column = Reference.Pixels[i] % width;
            int top = Math.Max(0, row - before), bottom = Math.Min(height, row + after);
            int left = Math.Max(0, column - before), rightEdge = Math.Min(width, column + after);
            int best = 0, bestCount = -1;
            for (int g = 0; g < groups; g++)
            {
                var table = sums[g];
                int inSquare = table[bottom * stride + rightEdge] - table[top * stride + rightEdge] - table[bottom * stride + left] + table[top * stride + left];
                if (inSquare > bestCount) (best, bestCount) = (g, inSquare);
            }
            if (best == Reference.Groups[i]) right++;
        }
        return (double)right / Samples;
    }

    /// <summary>The area-weighted overall accuracy with its interval.</summary>
    internal EstimateWithInterval EstimatedOverall { get; init; }

    /// <summary>Each group's figures, in <see cref="Groups"/> order.</summary>
    internal IReadOnlyList<GroupFigures> PerGroup { get; init; } = [];

    /// <summary>Accuracy against coverage at each of <see cref="CoverageThresholds"/>; null without a probability map.</summary>
    internal IReadOnlyList<CoverageStep>? Coverage { get; init; }

    long RowTotal(int row) => Enumerable.Range(0, Groups.Count).Sum(g => Counts[row, g]);

    /// <summary>The last line of the report: <c>overall accuracy X (95 % CI a–b), Uncertain U on N reference samples</c>, U as a percentage.</summary>
    public string Headline
    {
        get
        {
            var (low, high) = OverallInterval;
            return string.Create(Inv, $"overall accuracy {OverallAccuracy:0.000} (95 % CI {low:0.000}–{high:0.000}), Uncertain {100 * UncertainShare:0.0} % on {Samples} reference samples");
        }
    }

    /// <summary>Assesses the class map <paramref name="map"/> against <paramref name="options"/>' reference.</summary>
    /// <exception cref="InvalidDataException">The map is not a class map, has no coordinate system, or no reference sample lies on it; the probability map does not fit it.</exception>
    /// <exception cref="UserErrorException">The reference's field or a class does not fit the mapping; a threshold outside 0–1 or without a probability map.</exception>
    public static MapAssessment Assess(string map, AssessmentOptions options)
    {
        if (options.UncertainBelow is { } below && !(below >= 0 && below <= 1))
            throw new UserErrorException($"--uncertain-below {below.ToString(Inv)}: give a probability in 0–1.");
        var mapping = options.Mapping is { } file ? ClassGroupMapping.Read(file) : ClassGroupMapping.For(options.Reference);
        using var raster = GdalRaster.Open(map);
        if (raster.BandCount != 1 || raster.DataType(1) != RasterDataType.Byte)
            throw new InvalidDataException($"{map} is not a class map written by classify ({raster.BandCount} band(s) of {raster.DataType(1)}; a class map has one Byte band).");
        var grid = RasterGrid.Of(raster);
        using var mapSystem = SpatialReference.From(grid.GeoReference.ProjectionWkt)
            ?? throw new InvalidDataException($"{map} has no coordinate system (unknown CRS): reference data cannot be placed on it.");
        var classes = ReadClasses(raster);
        var probabilityPath = options.Probability ?? ProbabilityBeside(map);
        var probability = probabilityPath is null ? null : ReadProbability(probabilityPath, grid);
        // The curve is the map's before any threshold given here: a thresholded map cannot say what lies below its threshold.
        var unthresholded = (byte[])classes.Clone();
        if (options.UncertainBelow is { } threshold)
        {
            if (probability is null) throw new UserErrorException($"--uncertain-below needs the map's probability raster (give --probability; none beside {map}).");
            for (int i = 0; i < classes.Length; i++)
                if (classes[i] < EuroSatClasses.Count && !(probability[i] >= threshold)) classes[i] = (byte)MapMask.Uncertain;
        }
        var reference = ReferenceSamples.Read(options.Reference, grid, options.Field, mapping);
        if (reference.Pixels.Length == 0)
            throw new InvalidDataException($"{options.Reference}: no reference sample lies on the map {map} (no overlap" +
                (reference.Outside > 0 ? $"; all {reference.Outside} points are outside it" : "") + ").");

        int groups = mapping.Groups.Count, rows = groups + ClassLegend.Masks.Count + 1;
        int RowOf(byte value) => value < EuroSatClasses.Count ? mapping.GroupOfMapClass(value)
            : value == SceneClassifier.NoDataClass ? rows - 1 : groups + value - ClassLegend.Masks[0].Value;
        var rowPixels = new long[rows];
        foreach (var value in classes) rowPixels[RowOf(value)]++;
        var counts = new long[rows, groups];
        for (int s = 0; s < reference.Pixels.Length; s++) counts[RowOf(classes[reference.Pixels[s]]), reference.Groups[s]]++;

        var weights = rowPixels.Select(n => (double)n / classes.Length).ToList();
        var estimate = AreaWeightedEstimate.From(counts, weights);
        double area = classes.Length * grid.PixelArea;
        var perGroup = Enumerable.Range(0, groups).Select(g =>
        {
            long mapped = Enumerable.Range(0, groups).Sum(j => counts[g, j]), referenced = Enumerable.Range(0, rows).Sum(i => counts[i, g]);
            return new GroupFigures(mapping.Groups[g], mapped, referenced, mapped > 0 ? (double)counts[g, g] / mapped : double.NaN,
                referenced > 0 ? (double)counts[g, g] / referenced : double.NaN, weights[g], estimate.Users[g], estimate.Producers[g],
                estimate.Proportions[g], estimate.Proportions[g].Times(area));
        }).ToList();

        return new MapAssessment
        {
            MapPath = map, ProbabilityPath = probability is null ? null : probabilityPath, UncertainBelow = options.UncertainBelow,
            Reference = reference, Mapping = mapping, ScoredClasses = classes, MapWidth = grid.Width, Groups = mapping.Groups, Counts = counts, MapRowPixels = rowPixels,
            PixelArea = grid.PixelArea, MetresPerUnit = mapSystem.MetresPerUnit, EstimatedOverall = estimate.Overall, PerGroup = perGroup,
            Coverage = probability is null ? null : CoverageCurve(unthresholded, probability, reference, mapping),
        };
    }

    static byte[] ReadClasses(GdalRaster raster)
    {
        var values = raster.Read(0, 0, raster.Width, raster.Height, [1]);
        var classes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var value = (byte)values[i];
            if (value >= ClassLegend.ValueCount && value != SceneClassifier.NoDataClass)
                throw new InvalidDataException($"{raster.Path} is not a class map written by classify: value {value} at column {i % raster.Width}, row {i / raster.Width} " +
                    $"(a class map holds 0–{EuroSatClasses.Count - 1} for classes, {ClassLegend.Masks[0].Value}–{ClassLegend.ValueCount - 1} for masks and {SceneClassifier.NoDataClass} for nodata).");
            classes[i] = value;
        }
        return classes;
    }

    /// <summary>The probability raster classify wrote beside <paramref name="map"/> (<see cref="SceneOutputPaths"/>'s names), or null when there is none.</summary>
    static string? ProbabilityBeside(string map)
    {
        var name = Path.GetFileName(map);
        int at = name.LastIndexOf("_classes", StringComparison.Ordinal);
        if (at < 0) return null;
        var outputs = SceneOutputPaths.For(Path.GetDirectoryName(map) ?? "", name[..at], allProbabilities: false);
        return outputs.Classes == map && File.Exists(outputs.Probability) ? outputs.Probability : null;
    }

    static float[] ReadProbability(string path, RasterGrid grid)
    {
        using var raster = GdalRaster.Open(path);
        if (raster.Width != grid.Width || raster.Height != grid.Height)
            throw new InvalidDataException($"{path} is {raster.Width}×{raster.Height} pixels; the class map is {grid.Width}×{grid.Height}: it is not that map's probability.");
        return raster.Read(0, 0, raster.Width, raster.Height, [1]);
    }

    static List<CoverageStep> CoverageCurve(byte[] classes, float[] probability, ReferenceSamples reference, ClassGroupMapping mapping) =>
        CoverageThresholds.Select(threshold =>
        {
            long covered = 0, right = 0;
            for (int s = 0; s < reference.Pixels.Length; s++)
            {
                int pixel = reference.Pixels[s];
                if (classes[pixel] >= EuroSatClasses.Count || !(probability[pixel] >= threshold)) continue;
                covered++;
                if (mapping.GroupOfMapClass(classes[pixel]) == reference.Groups[s]) right++;
            }
            double samples = reference.Pixels.Length;
            return new CoverageStep(threshold, covered / samples, covered > 0 ? (double)right / covered : double.NaN, right / samples);
        }).ToList();

    /// <summary>The area unit of <see cref="GroupFigures.EstimatedArea"/> as printed: hectares for a system in metres, else square map units.</summary>
    (double Factor, string Unit) AreaUnit => MetresPerUnit is { } metres ? (metres * metres / 10_000, "ha") : (1, "square map units");

    /// <summary>The report as text: what was assessed, the confusion matrix, the figures per group, the coverage curve, and <see cref="Headline"/> last.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        var reference = Reference;
        text.AppendLine($"map: {MapPath} ({MapPixels} px){(UncertainBelow is { } t ? string.Create(Inv, $", land classes below probability {t} made Uncertain") : "")}");
        text.AppendLine($"reference: {reference.Path} ({reference.Kind.ToString().ToLowerInvariant()}{(reference.Field is null ? "" : $", field {reference.Field}")}), groups from {MappingSource}");
        text.AppendLine($"samples: {Samples}" + (reference.Kind == ReferenceKind.Points ? " points" : " pixels") +
            (reference.Outside > 0 ? $"; {reference.Outside} points outside the map" : "") + (reference.WithoutLabel > 0 ? $"; {reference.WithoutLabel} without a label, left out" : ""));
        text.AppendLine();
        text.AppendLine("confusion matrix (rows: map, columns: reference; sample counts; the map's share of pixels last)");
        int width = Math.Max(12, Rows.Max(r => r.Length)), cell = Math.Max(8, Groups.Max(g => g.Length));
        text.AppendLine("map".PadRight(width) + " " + string.Join(" ", Groups.Select(g => g.PadLeft(cell))) + " " + "total".PadLeft(8) + " " + "map share".PadLeft(9));
        for (int r = 0; r < Rows.Count; r++)
        {
            long total = Enumerable.Range(0, Groups.Count).Sum(g => Counts[r, g]);
            text.AppendLine(Rows[r].PadRight(width) + " " + string.Join(" ", Enumerable.Range(0, Groups.Count).Select(g => Counts[r, g].ToString(Inv).PadLeft(cell))) +
                " " + total.ToString(Inv).PadLeft(8) + " " + (100.0 * MapRowPixels[r] / MapPixels).ToString("0.0", Inv).PadLeft(7) + " %");
        }
        text.AppendLine("total".PadRight(width) + " " + string.Join(" ", PerGroup.Select(g => g.ReferenceSamples.ToString(Inv).PadLeft(cell))) + " " + Samples.ToString(Inv).PadLeft(8));
        text.AppendLine();
        var (factor, unit) = AreaUnit;
        text.AppendLine($"per group: user's and producer's accuracy from the counts; area-weighted (95 % CI); estimated area ({unit}, 95 % CI)");
        foreach (var g in PerGroup)
            text.AppendLine(string.Create(Inv, $"{g.Group.PadRight(width)} user's {Figure(g.UsersAccuracy)} producer's {Figure(g.ProducersAccuracy)}; area-weighted user's {Interval(g.EstimatedUsers)}, " +
                $"producer's {Interval(g.EstimatedProducers)}; area {Interval(g.EstimatedArea.Times(factor), "0")}"));
        text.AppendLine(string.Create(Inv, $"area-weighted overall accuracy {Interval(EstimatedOverall)}"));
        if (Coverage is { } curve)
        {
            text.AppendLine();
            text.AppendLine($"accuracy against coverage (Uncertain below the threshold, from {ProbabilityPath}; a threshold below the map's own cannot uncover its Uncertain pixels)");
            text.AppendLine("threshold  coverage  accuracy of covered  accuracy of all");
            foreach (var step in curve)
                text.AppendLine(string.Create(Inv, $"{step.Threshold,9:0.0}  {step.Coverage,8:0.000}  {Figure(step.CoveredAccuracy),19}  {step.Accuracy,15:0.000}"));
        }
        text.AppendLine();
        text.AppendLine(string.Create(Inv, $"Uncertain {UncertainSamples} ({100 * UncertainShare:0.0} %), masked {MaskedSamples} ({100 * MaskedShare:0.0} %), nodata {NoDataSamples} of {Samples} samples: all counted wrong"));
        text.AppendLine(Headline);
        return text.ToString();
    }

    static string Figure(double value) => double.IsNaN(value) ? "—" : value.ToString("0.000", Inv);

    static string Interval(EstimateWithInterval estimate, string format = "0.000") => double.IsNaN(estimate.Value) ? "—"
        : double.IsNaN(estimate.StandardError) ? estimate.Value.ToString(format, Inv)
        : $"{estimate.Value.ToString(format, Inv)} ({estimate.Low.ToString(format, Inv)}–{estimate.High.ToString(format, Inv)})";

    /// <summary>Everything in the report as JSON (NaN written as null).</summary>
    public JsonObject ToJson()
    {
        var (low, high) = OverallInterval;
        var (factor, unit) = AreaUnit;
        return new JsonObject
        {
            ["map"] = MapPath,
            ["probability"] = ProbabilityPath,
            ["uncertainBelow"] = UncertainBelow,
            ["reference"] = Reference.Path,
            ["referenceKind"] = Reference.Kind.ToString(),
            ["field"] = Reference.Field,
            ["mapping"] = MappingSource,
            ["groups"] = new JsonArray([.. Groups.Select(g => (JsonNode?)g)]),
            ["rows"] = new JsonArray([.. Rows.Select(r => (JsonNode?)r)]),
            ["confusion"] = new JsonArray([.. Enumerable.Range(0, Rows.Count).Select(r => (JsonNode?)new JsonArray([.. Enumerable.Range(0, Groups.Count).Select(g => (JsonNode?)Counts[r, g])]))]),
            ["mapRowPixels"] = new JsonArray([.. MapRowPixels.Select(n => (JsonNode?)n)]),
            ["samples"] = Samples,
            ["correct"] = Correct,
            ["overallAccuracy"] = Number(OverallAccuracy),
            ["overallLow"] = Number(low),
            ["overallHigh"] = Number(high),
            ["uncertainSamples"] = UncertainSamples,
            ["maskedSamples"] = MaskedSamples,
            ["noDataSamples"] = NoDataSamples,
            ["uncertainShare"] = Number(UncertainShare),
            ["maskedShare"] = Number(MaskedShare),
            ["withoutLabel"] = Reference.WithoutLabel,
            ["pointsOutside"] = Reference.Outside,
            ["estimatedOverall"] = Json(EstimatedOverall),
            ["areaUnit"] = unit,
            ["perGroup"] = new JsonArray([.. PerGroup.Select(g => (JsonNode?)new JsonObject
            {
                ["group"] = g.Group,
                ["mapSamples"] = g.MapSamples,
                ["referenceSamples"] = g.ReferenceSamples,
                ["usersAccuracy"] = Number(g.UsersAccuracy),
                ["producersAccuracy"] = Number(g.ProducersAccuracy),
                ["mapShare"] = Number(g.MapShare),
                ["estimatedUsers"] = Json(g.EstimatedUsers),
                ["estimatedProducers"] = Json(g.EstimatedProducers),
                ["estimatedProportion"] = Json(g.EstimatedProportion),
                ["estimatedArea"] = Json(g.EstimatedArea.Times(factor)),
            })]),
            ["coverage"] = Coverage is null ? null : new JsonArray([.. Coverage.Select(c => (JsonNode?)new JsonObject
            {
                ["threshold"] = c.Threshold, ["coverage"] = Number(c.Coverage), ["coveredAccuracy"] = Number(c.CoveredAccuracy), ["accuracy"] = Number(c.Accuracy),
            })]),
            ["headline"] = Headline,
        };
    }

    static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    static JsonObject Json(EstimateWithInterval estimate) => new()
    {
        ["value"] = Number(estimate.Value), ["standardError"] = Number(estimate.StandardError), ["low"] = Number(estimate.Low), ["high"] = Number(estimate.High),
    };

    /// <summary>The map beside its reference, each sample marked right or wrong (<see cref="AssessmentFigure"/>), e.g. to save with <see cref="ClassMapImage.ToPng"/>.</summary>
    /// <param name="legend">The map's class colours; <see cref="ClassLegend.EuroSat"/> when null.</param>
    public SKBitmap Figure(ClassLegend? legend = null) => AssessmentFigure.Draw(this, legend ?? ClassLegend.EuroSat);

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
}
