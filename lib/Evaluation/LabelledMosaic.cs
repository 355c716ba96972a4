using System.Text.Json;
using System.Text.Json.Serialization;
using CnnSentinel.Datasets;
using CnnSentinel.IO;
using CnnSentinel.Randomness;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;

namespace CnnSentinel.Evaluation;

/// <summary>
/// Labelled patches laid side by side on a grid of 64 × 64 cells in a seeded random order, written as one georeferenced
/// scene, with its truth (the class of every cell). Classifying the scene as any scene is classified (<c>classify</c>)
/// and scoring the map against the truth (<see cref="MapAccuracy"/>) measures what a land-use map gets right — windows
/// that straddle neighbouring patches included — where a patch evaluation only sees patches one by one.
/// </summary>
/// <remarks>
/// The patches should come from a model's validation side (<see cref="Models.TrainingSplit"/>): a map of patches it was
/// trained on would overstate it. RGB patches make a 3-band Byte scene, multispectral ones a 13-band UInt16 scene, bands
/// named in the order <see cref="SentinelBands.OrderFor"/> gives, which is what <see cref="SceneInput"/> checks.
/// </remarks>
/// <param name="Format">RGB or multispectral patches.</param>
/// <param name="Classes">Class names; a cell's class index is its patch's.</param>
/// <param name="Rows">Grid rows.</param>
/// <param name="Columns">Grid columns.</param>
/// <param name="Epsg">EPSG code of the scene's coordinate system.</param>
/// <param name="OriginX">Map x of the scene's upper-left corner.</param>
/// <param name="OriginY">Map y of that corner.</param>
/// <param name="Seed">Seed of the choice of patches and of their arrangement.</param>
/// <param name="Tiles">Every cell, row after row.</param>
public sealed record LabelledMosaic(PatchFormat Format, IReadOnlyList<string> Classes, int Rows, int Columns, int Epsg,
    double OriginX, double OriginY, int Seed, IReadOnlyList<MosaicTile> Tiles)
{
    /// <summary>Cell side in pixels: a EuroSAT patch.</summary>
    public const int TileSize = EuroSatDataset.PatchSize;

    /// <summary>Pixel side in metres, as Sentinel-2's 10 m bands and EuroSAT's patches.</summary>
    public const double PixelSize = 10;

    /// <summary>WGS 84 / UTM zone 33N, the bundled scene's system.</summary>
    public const int DefaultEpsg = 32633;

    /// <summary>An arbitrary easting for the upper-left corner: the mosaic lies nowhere real.</summary>
    public const double DefaultOriginX = 500_000;

    /// <summary>An arbitrary northing for the upper-left corner.</summary>
    public const double DefaultOriginY = 5_600_000;

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Columns of the scene in pixels.</summary>
    public int Width => Columns * TileSize;

    /// <summary>Rows of the scene in pixels.</summary>
    public int Height => Rows * TileSize;

    /// <summary>North-up, <see cref="PixelSize"/> pixels from (<see cref="OriginX"/>, <see cref="OriginY"/>) in EPSG <see cref="Epsg"/>.</summary>
    // GDAL's SetProjection reads any definition OGR's SetFromUserInput does, so an EPSG code needs no WKT of our own.
    internal GeoReference GeoReference => new([OriginX, PixelSize, 0, OriginY, 0, -PixelSize], $"EPSG:{Epsg}");

    /// <summary>
    /// Chooses <paramref name="perClass"/> patches of every class of <paramref name="dataset"/> among <paramref name="patches"/>
    /// and lays them out in a random order on a grid as near square as the count allows (every cell filled).
    /// </summary>
    /// <param name="dataset">The folder the patches are in.</param>
    /// <param name="patches">The patches to choose from, e.g. a model's validation side.</param>
    /// <param name="perClass">Patches of each class.</param>
    /// <param name="seed">Seed of the choice (per class, so one class's count does not change another's patches) and of the order.</param>
    /// <exception cref="UserErrorException">A class has fewer than <paramref name="perClass"/> patches among <paramref name="patches"/>.</exception>
    public static LabelledMosaic Arrange(EuroSatDataset dataset, IReadOnlyList<EuroSatSample> patches, int perClass, int seed)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "at least one patch per class");
        var chosen = new List<EuroSatSample>();
        var tooFew = new List<string>();
        for (int c = 0; c < dataset.Classes.Count; c++)
        {
            var ofClass = patches.Where(p => p.ClassIndex == c).OrderBy(p => p.RelativePath, StringComparer.Ordinal).ToList();
            if (ofClass.Count < perClass) tooFew.Add($"{dataset.Classes[c]} {ofClass.Count}");
            new SplitMix64(SplitMix64.Derive((ulong)seed, dataset.Classes[c])).Shuffle(ofClass);
            chosen.AddRange(ofClass.Take(perClass));
        }
        if (tooFew.Count > 0)
            throw new UserErrorException($"{perClass} patches per class asked for, but there are only {string.Join(", ", tooFew)}.");
        new SplitMix64(SplitMix64.Derive((ulong)seed, "arrangement")).Shuffle(chosen);
        // The largest divisor up to the square root: every cell holds a patch, so no cell needs a nodata filling that
        // windows of its neighbours would read.
        int rows = Enumerable.Range(1, (int)Math.Sqrt(chosen.Count)).Last(r => chosen.Count % r == 0), columns = chosen.Count / rows;
        var tiles = chosen.Select((p, i) => new MosaicTile(i / columns, i % columns, p)).ToList();
        return new LabelledMosaic(dataset.Format, dataset.Classes, rows, columns, DefaultEpsg, DefaultOriginX, DefaultOriginY, seed, tiles);
    }

    /// <summary>
    /// Writes the scene: every cell's patch as read from <paramref name="dataset"/>, unchanged (3 Byte bands for RGB,
    /// 13 UInt16 bands for multispectral), georeferenced, bands named.
    /// </summary>
    /// <exception cref="UserErrorException"><paramref name="dataset"/> holds patches of another format.</exception>
    public void WriteImage(EuroSatDataset dataset, string path)
    {
        if (dataset.Format != Format) throw new UserErrorException($"{dataset.Root} holds {dataset.Format} patches; this mosaic is of {Format} patches.");
        int bands = dataset.BandCount, plane = TileSize * TileSize;
        using var writer = GeoTiffWriter.Create(path, Width, Height, bands, Format == PatchFormat.Rgb ? RasterDataType.Byte : RasterDataType.UInt16,
            GeoReference, new GeoTiffOptions(BandDescriptions: SentinelBands.OrderFor(bands), CloudOptimized: false));
        foreach (var tile in Tiles)
        {
            var pixels = dataset.Read(tile.Patch);
            for (int b = 0; b < bands; b++)
            {
                var band = pixels.AsSpan(b * plane, plane);
                if (Format == PatchFormat.Rgb)
                {
                    var bytes = new byte[plane];
                    for (int i = 0; i < plane; i++) bytes[i] = (byte)band[i];
                    writer.Write(b + 1, tile.X, tile.Y, TileSize, TileSize, bytes);
                }
                else
                {
                    // GDAL converts on writing; every UInt16 value is exact in a float.
                    var values = new float[plane];
                    for (int i = 0; i < plane; i++) values[i] = band[i];
                    writer.Write(b + 1, tile.X, tile.Y, TileSize, TileSize, values);
                }
            }
        }
        writer.Commit();
    }

    /// <summary>The true class of every pixel, row after row (<see cref="Width"/> × <see cref="Height"/>).</summary>
    public byte[] TruthPixels()
    {
        var truth = new byte[Width * Height];
        foreach (var tile in Tiles)
            for (int y = 0; y < TileSize; y++)
                truth.AsSpan((tile.Y + y) * Width + tile.X, TileSize).Fill((byte)tile.Patch.ClassIndex);
        return truth;
    }

    /// <summary>Writes the truth as a class map beside which a classified map can be viewed (Byte, the maps' colours and nodata).</summary>
    public void WriteTruthRaster(string path)
    {
        using var writer = GeoTiffWriter.Create(path, Width, Height, 1, RasterDataType.Byte, GeoReference, new GeoTiffOptions(
            NoData: SceneClassifier.NoDataClass, ColorTable: ClassLegend.EuroSat.ColorTable(), BandDescriptions: ["true class"], CloudOptimized: false));
        writer.Write(1, 0, 0, Width, Height, TruthPixels());
        writer.Commit();
    }

    /// <summary>Writes the mosaic (grid, georeference, every cell's patch and class) as JSON, atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads a mosaic written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Not such a file; the message names it.</exception>
    public static LabelledMosaic Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<LabelledMosaic>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a mosaic description ({e.Message}).", e);
        }
    }
}
