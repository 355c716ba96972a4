using System.Diagnostics;
using CnnSentinel.IO;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// Writes a scene's map files (<see cref="SceneOutputPaths"/>) as its classified blocks stream in (<see cref="SceneMap.Write"/>): the class
/// GeoTIFF with its colour table and category names, the probability GeoTIFF(s) — Cloud-Optimised, tiled, DEFLATE,
/// geotransform and projection copied from the input — a QGIS style, a legend and a PNG preview. The files are published as one
/// <see cref="OutputSet"/>: an interrupted or failed run (a full disk) leaves the previous set whole.
/// </summary>
internal static class SceneMapWriter
{
    /// <summary>Longest side of the preview, in pixels.</summary>
    public const int PreviewSize = 1024;

    /// <summary>
    /// Writes the map of <paramref name="input"/> from <paramref name="blocks"/> as they come: a classification, maybe with
    /// masks set by a later step. Nothing is published until every block has been written.
    /// </summary>
    /// <param name="input">The scene; it must be georeferenced.</param>
    /// <param name="blocks">The scene's blocks, covering it once (e.g. <see cref="SceneClassifier.Classify"/>).</param>
    /// <param name="legend">Class names and colours; as many classes as the blocks' probabilities.</param>
    /// <param name="outputs">Where the files go.</param>
    /// <param name="runRecord">What made the map, published with it as <see cref="SceneOutputPaths.Run"/>; when null, an old record is removed.</param>
    /// <exception cref="InvalidDataException">The input is not georeferenced, the blocks' class count differs from the legend's, or
    /// a block has a value that is neither a class, a <see cref="MapMask"/> nor nodata.</exception>
    public static SceneMap Write(GdalRaster input, IEnumerable<ClassifiedBlock> blocks, ClassLegend legend, SceneOutputPaths outputs,
        SceneRunRecord? runRecord = null)
    {
        var watch = Stopwatch.StartNew();
        var georeference = input.GeoReference
            ?? throw new InvalidDataException($"{input.Path}: not georeferenced (no geotransform): a map needs to know where it lies. " +
                "Georeference it first (e.g. gdal_translate -a_srs/-a_ullr) or use a GeoTIFF/JP2 from the product.");
        int width = input.Width, height = input.Height, classes = legend.Classes.Count;
        var names = legend.Classes.Select(c => c.Name).ToArray();
        using var classWriter = GeoTiffWriter.Create(outputs.Classes, width, height, 1, RasterDataType.Byte, georeference,
            new GeoTiffOptions(NoData: SceneClassifier.NoDataClass, ColorTable: legend.ColorTable(), CategoryNames: legend.CategoryNames(), BandDescriptions: ["class"]));
        using var probabilityWriter = GeoTiffWriter.Create(outputs.Probability, width, height, 1, RasterDataType.Float32, georeference,
            new GeoTiffOptions(NoData: float.NaN, BandDescriptions: ["probability of the class"], OverviewResampling: "AVERAGE"));
        using var allWriter = outputs.Probabilities is null ? null : GeoTiffWriter.Create(outputs.Probabilities, width, height, classes,
            RasterDataType.Float32, georeference, new GeoTiffOptions(NoData: float.NaN, BandDescriptions: names, OverviewResampling: "AVERAGE"));

        int scale = Math.Max(1, (int)Math.Ceiling(Math.Max(width, height) / (double)PreviewSize));
        int previewWidth = (width + scale - 1) / scale, previewHeight = (height + scale - 1) / scale;
        var preview = new byte[previewWidth * previewHeight];
        var counts = new MapValueCounts(legend, input.Path);
        foreach (var block in blocks)
        {
            counts.Add(block);
            classWriter.Write(1, block.X, block.Y, block.Width, block.Height, block.Classes);
            probabilityWriter.Write(1, block.X, block.Y, block.Width, block.Height, block.Confidence);
            if (allWriter is not null)
                for (int k = 0; k < classes; k++)
                    allWriter.Write(k + 1, block.X, block.Y, block.Width, block.Height,
                        block.Probabilities!.AsSpan(k * block.Width * block.Height, block.Width * block.Height).ToArray());
            for (int py = (block.Y + scale - 1) / scale; py * scale < block.Y + block.Height; py++)
                for (int px = (block.X + scale - 1) / scale; px * scale < block.X + block.Width; px++)
                    preview[py * previewWidth + px] = block.Classes[(py * scale - block.Y) * block.Width + px * scale - block.X];
        }
        // Every file is finished and checked before the first is renamed into place: a full disk or a write error leaves the
        // previous set whole. The run record describes the old files, so it goes first (or is replaced last, by the new one).
        using var set = new OutputSet();
        if (runRecord is null) set.Remove(outputs.Run);
        if (outputs.UnwantedProbabilities is { } stale) set.Remove(stale);
        classWriter.CommitTo(set);
        probabilityWriter.CommitTo(set);
        allWriter?.CommitTo(set);
        var valueCounts = counts.PerValue;
        using (var map = ClassMapImage.Colorize(preview, previewWidth, previewHeight, legend))
        using (var figure = ClassMapImage.Figure([(Path.GetFileName(outputs.Classes), map)], legend, Math.Min(previewHeight, 800),
                   valueCounts, PreviewMetresPerPixel(georeference, scale), AcquisitionCaption(input.Path)))
            set.WriteAllBytes(outputs.Preview, ClassMapImage.ToPng(figure));
        set.WriteAllText(outputs.ClassesStyle, legend.ToQml());
        set.WriteAllBytes(outputs.ClassesAttributeTable, legend.ToValueAttributeTable(valueCounts));
        set.WriteAllText(outputs.LegendCsv, legend.ToCsv(valueCounts));
        set.WriteAllText(outputs.LegendMarkdown, legend.ToMarkdown(valueCounts));
        set.WriteAllText(outputs.LegendJson, legend.ToJson(valueCounts)); // after the maps: its presence marks a finished scene
        if (runRecord is not null) set.WriteAllText(outputs.Run, runRecord.ToJson());
        set.Commit();
        return SceneMap.Written(width, height, counts, watch.Elapsed, outputs);
    }

    /// <summary>
    /// Ground size of a preview pixel (<paramref name="scale"/> map pixels) in metres, for its scale bar and north arrow:
    /// only for a north-up map in a projected system measured in metres (UTM, as Sentinel-2 tiles are); null otherwise.
    /// </summary>
    internal static double? PreviewMetresPerPixel(GeoReference georeference, int scale)
    {
        var t = georeference.GeoTransform;
        var wkt = georeference.ProjectionWkt;
        bool projectedInMetres = (wkt.StartsWith("PROJCS[", StringComparison.Ordinal) || wkt.StartsWith("PROJCRS[", StringComparison.Ordinal))
            && wkt.Contains("\"metre\"", StringComparison.Ordinal);
        bool northUp = t[2] == 0 && t[4] == 0 && t[5] < 0;
        return projectedInMetres && northUp && Math.Abs(t[1]) == Math.Abs(t[5]) ? Math.Abs(t[1]) * scale : null;
    }

    /// <summary>
    /// "acquired YYYY-MM-DD" from a Sentinel-2 name (tile and product names carry the sensing time as
    /// <c>_YYYYMMDDTHHMMSS</c>, e.g. <c>T33UUP_20220315T101031_TCI_10m.jp2</c>); null when the name has none.
    /// </summary>
    internal static string? AcquisitionCaption(string inputPath)
    {
        var match = System.Text.RegularExpressions.Regex.Match(Path.GetFileName(Path.TrimEndingDirectorySeparator(inputPath)), @"(?<!\d)(20\d\d)(\d\d)(\d\d)T\d{6}");
        return match.Success && DateTime.TryParseExact(match.Value[..8], "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var date) ? $"acquired {date:yyyy-MM-dd} (from the file name)" : null;
    }
}
