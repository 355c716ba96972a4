using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CnnSentinel.Raster;

namespace CnnSentinel.Evaluation;

/// <summary>
/// A class map of a <see cref="LabelledMosaic"/> scored against its truth, cell by cell: at the centre pixel, over the
/// 2 × 2 centre pixels, by the majority of the cell's pixels, and over all its pixels; overall, per class, and as
/// confusion matrices. A value that is not a class (nodata 255, a mask value such as "uncertain") counts as wrong.
/// </summary>
/// <remarks>
/// A scene classifier gives pixel (x, y) the class of the window whose corner is (x − 32, y − 32), so at stride 1 the
/// window of a cell's <see cref="CentrePixel"/> is exactly the cell's patch and the centre figure is the map's patch
/// accuracy. At a larger stride the pixel takes the window of its stride cell's centre (pixel 36 at stride 8: 4 pixels of
/// the neighbours in), or a blend of nearby windows. The majority and pixel figures include the windows that straddle
/// neighbouring cells, as every window of a real scene straddles the land around it.
/// </remarks>
public sealed class MapAccuracy
{
    /// <summary>Row and column, within a cell, of the pixel whose window is the cell's patch.</summary>
    public const int CentrePixel = LabelledMosaic.TileSize / 2;

    const int CellPixels = LabelledMosaic.TileSize * LabelledMosaic.TileSize;

    MapAccuracy(IReadOnlyList<string> classes, IReadOnlyList<TileScore> tiles)
    {
        Classes = classes;
        Tiles = tiles;
    }

    /// <summary>Class names, in class-index order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Every cell's score, in the mosaic's order.</summary>
    internal IReadOnlyList<TileScore> Tiles { get; }

    /// <summary>Share of cells whose centre pixel holds the true class.</summary>
    public double Centre => Share(Tiles, t => t.Centre == t.Truth ? 1 : 0, 1);

    /// <summary>Share of the cells' 2 × 2 centre pixels that hold the true class (the cell's centre lies between them).</summary>
    public double CentreBlock => Share(Tiles, t => t.CentreBlockCorrect, 4);

    /// <summary>Share of cells where the true class is the value most of their pixels hold (a tie is no majority).</summary>
    public double Majority => Share(Tiles, t => t.Majority == t.Truth ? 1 : 0, 1);

    /// <summary>Share of all cells' pixels that hold the true class.</summary>
    public double Pixels => Share(Tiles, t => t.CorrectPixels, CellPixels);

    /// <summary>Cells whose centre pixel holds no class (nodata, a mask value): wrong in every figure, left out of the confusion matrices.</summary>
    public int CentresNotAClass => Tiles.Count(t => t.Centre >= Classes.Count);

    /// <summary>True class against the class at the centre pixel, for the cells whose centre holds a class.</summary>
    public ConfusionMatrix CentreConfusion => Confusion(t => t.Centre);

    /// <summary>True class against the majority class, for the cells whose majority is a class.</summary>
    public ConfusionMatrix MajorityConfusion => Confusion(t => t.Majority ?? Classes.Count);

    /// <summary>The figures of each class's cells, in class order.</summary>
    internal IReadOnlyList<ClassMapFigures> PerClass => Classes.Select((name, c) =>
    {
        var own = Tiles.Where(t => t.Truth == c).ToList();
        return new ClassMapFigures(name, own.Count, Share(own, t => t.Centre == c ? 1 : 0, 1), Share(own, t => t.CentreBlockCorrect, 4),
            Share(own, t => t.Majority == c ? 1 : 0, 1), Share(own, t => t.CorrectPixels, CellPixels));
    }).ToList();

    /// <summary>Scores <paramref name="classes"/>, a class map of <paramref name="mosaic"/> row after row, against its truth.</summary>
    /// <exception cref="ArgumentException">The map has another size than the mosaic.</exception>
    public static MapAccuracy Score(LabelledMosaic mosaic, ReadOnlySpan<byte> classes)
    {
        if (classes.Length != mosaic.Width * mosaic.Height)
            throw new ArgumentException($"{classes.Length} class values for a {mosaic.Width}×{mosaic.Height} mosaic.", nameof(classes));
        int size = LabelledMosaic.TileSize, width = mosaic.Width;
        var scores = new List<TileScore>(mosaic.Tiles.Count);
        var counts = new int[256];
        foreach (var tile in mosaic.Tiles)
        {
            Array.Clear(counts);
            for (int y = 0; y < size; y++)
                foreach (var value in classes.Slice((tile.Y + y) * width + tile.X, size))
                    counts[value]++;
            int truth = tile.Patch.ClassIndex;
            int centre = (tile.Y + CentrePixel) * width + tile.X + CentrePixel;
            int block = 0;
            foreach (var at in (ReadOnlySpan<int>)[centre - width - 1, centre - width, centre - 1, centre])
                if (classes[at] == truth) block++;
            int most = counts.Max();
            int? majority = counts.Count(n => n == most) == 1 ? Array.IndexOf(counts, most) : null;
            scores.Add(new TileScore(tile, classes[centre], block, majority, counts[truth]));
        }
        return new MapAccuracy(mosaic.Classes, scores);
    }

    /// <summary>Scores the class map GeoTIFF at <paramref name="classMap"/> (band 1, e.g. <c>classify</c>'s <c>_classes.tif</c>) against <paramref name="mosaic"/>'s truth.</summary>
    /// <exception cref="InvalidDataException">The map is not of the mosaic: another size or georeference.</exception>
    public static MapAccuracy Score(LabelledMosaic mosaic, string classMap)
    {
        using var raster = GdalRaster.Open(classMap);
        if (raster.Width != mosaic.Width || raster.Height != mosaic.Height)
            throw new InvalidDataException($"{classMap} is {raster.Width}×{raster.Height} pixels; the mosaic is {mosaic.Width}×{mosaic.Height}.");
        var expected = mosaic.GeoReference.GeoTransform;
        if (raster.GeoReference?.GeoTransform is not { } found || found.Zip(expected).Any(p => Math.Abs(p.First - p.Second) > 1e-6))
            throw new InvalidDataException($"{classMap} does not lie where the mosaic lies (geotransform {(raster.GeoReference is null ? "none" : string.Join(", ", raster.GeoReference.GeoTransform))}, " +
                $"expected {string.Join(", ", expected)}).");
        var values = raster.Read(0, 0, raster.Width, raster.Height, [1]);
        var classes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++) classes[i] = (byte)values[i];
        return Score(mosaic, classes);
    }

    /// <summary>
    /// The figures as plain text: per class and overall (cells; centre, centre 2 × 2, majority and pixel accuracy), then the
    /// confusion matrix of the centre pixels (rows: true class, columns: predicted, in class order).
    /// </summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        int width = Math.Max(5, Classes.Max(c => c.Length));
        text.AppendLine(string.Create(inv, $"{"class".PadRight(width)}  cells  centre  centre 2×2  majority  pixels"));
        foreach (var f in PerClass)
            text.AppendLine(string.Create(inv, $"{f.Class.PadRight(width)}  {f.Tiles,5}  {f.Centre,6:0.0000}  {f.CentreBlock,10:0.0000}  {f.Majority,8:0.0000}  {f.Pixels,6:0.0000}"));
        text.AppendLine(string.Create(inv, $"{"all".PadRight(width)}  {Tiles.Count,5}  {Centre,6:0.0000}  {CentreBlock,10:0.0000}  {Majority,8:0.0000}  {Pixels,6:0.0000}"));
        text.AppendLine();
        text.AppendLine($"centre pixels: confusion matrix (rows: true class, columns: predicted); {CentresNotAClass} centre(s) hold no class");
        var confusion = CentreConfusion;
        for (int r = 0; r < Classes.Count; r++)
            text.AppendLine(Classes[r].PadRight(width) + " " + string.Join(" ", Enumerable.Range(0, Classes.Count).Select(c => confusion[r, c].ToString(inv).PadLeft(4))));
        return text.ToString();
    }

    /// <summary>The figures as JSON: overall, per class, and both confusion matrices (counts, rows: true class).</summary>
    public JsonObject ToJson() => new()
    {
        ["classes"] = new JsonArray(Classes.Select(c => (JsonNode?)c).ToArray()),
        ["cells"] = Tiles.Count,
        ["centre"] = Centre,
        ["centreBlock"] = CentreBlock,
        ["majority"] = Majority,
        ["pixels"] = Pixels,
        ["centresNotAClass"] = CentresNotAClass,
        ["perClass"] = new JsonArray(PerClass.Select(f => (JsonNode?)new JsonObject
        {
            ["class"] = f.Class, ["cells"] = f.Tiles, ["centre"] = f.Centre, ["centreBlock"] = f.CentreBlock, ["majority"] = f.Majority, ["pixels"] = f.Pixels,
        }).ToArray()),
        ["centreConfusion"] = Counts(CentreConfusion),
        ["majorityConfusion"] = Counts(MajorityConfusion),
    };

    ConfusionMatrix Confusion(Func<TileScore, int> predicted)
    {
        var scored = Tiles.Where(t => predicted(t) < Classes.Count).ToList();
        return ConfusionMatrix.From(Classes, scored.Select(t => t.Truth), scored.Select(predicted));
    }

    JsonArray Counts(ConfusionMatrix matrix) => new(Enumerable.Range(0, Classes.Count)
        .Select(r => (JsonNode?)new JsonArray(Enumerable.Range(0, Classes.Count).Select(c => (JsonNode?)matrix[r, c]).ToArray())).ToArray());

    static double Share(IReadOnlyCollection<TileScore> tiles, Func<TileScore, int> correct, int perTile) =>
        tiles.Count == 0 ? double.NaN : (double)tiles.Sum(correct) / ((long)tiles.Count * perTile);
}
