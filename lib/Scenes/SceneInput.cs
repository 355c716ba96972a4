using CnnSentinel.Datasets;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// A scene ready for a model: the raster and which of its bands, in the model's order, to read. Opens a multi-band
/// file (GeoTIFF, JP2, VRT) as is, or stacks the band files of a folder or SAFE product on the 10 m grid.
/// </summary>
public sealed class SceneInput : IDisposable
{
    SceneInput(string path, GdalRaster raster, int[] bands, IReadOnlyList<string> bandNames, int? sceneClassificationBand = null)
    {
        Path = path;
        Raster = raster;
        Bands = bands;
        BandNames = bandNames;
        SceneClassificationBand = sceneClassificationBand;
        var detected = SceneRadiometry.Detect(path, bandNames, raster.DataType(bands[0]) == RasterDataType.Byte);
        Radiometry = detected.Product is SceneProduct.TciL1C or SceneProduct.TciL2A ? detected.FedUnconverted() : detected;
    }

    /// <summary>The 1-based band of <see cref="Raster"/> holding a Level-2A scene classification (SCL) resampled to the 10 m grid; null without one.</summary>
    public int? SceneClassificationBand { get; }

    /// <summary>
    /// What the values most likely are (<see cref="SceneRadiometry.Detect"/>) and how they become the model's units: band
    /// files converted to EuroSAT's units; TCIs fed unconverted (<see cref="SceneRadiometry.FedUnconverted"/>).
    /// </summary>
    public SceneRadiometry Radiometry { get; }

    /// <summary>What was opened.</summary>
    public string Path { get; }

    /// <summary>The raster (a virtual stack for folders).</summary>
    internal GdalRaster Raster { get; }

    /// <summary>Columns of the scene, in pixels.</summary>
    public int Width => Raster.Width;

    /// <summary>Rows.</summary>
    public int Height => Raster.Height;

    /// <summary>1-based bands of <see cref="Raster"/> to read, in the model's order.</summary>
    public int[] Bands { get; }

    /// <summary>The Sentinel-2 names of those bands.</summary>
    public IReadOnlyList<string> BandNames { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for a model of <paramref name="bandCount"/> bands (13: EuroSAT MS order B01 … B12,
    /// B8A; 3: red, green, blue).
    /// </summary>
    /// <remarks>
    /// A folder (or SAFE product) is searched for band files (<see cref="Sentinel2Bands.FindFiles"/>), which are
    /// stacked in the model's order with 20 m and 60 m bands resampled to 10 m by nearest neighbour, as EuroSAT was
    /// made (issue #3); a Level-2A product's scene classification (SCL) is stacked after them. A file must have exactly <paramref name="bandCount"/> bands; where its bands are named
    /// (descriptions such as "B04") or colour-tagged (red, green, blue), the names must match the model's order.
    /// </remarks>
    /// <exception cref="InvalidDataException">Wrong band count or order; the message names the file and what it has.</exception>
    public static SceneInput Open(string path, int bandCount)
    {
        var order = SentinelBands.OrderFor(bandCount);
        if (Directory.Exists(path))
        {
            var files = Sentinel2Bands.FindFiles(path, order);
            // A Level-2A product's SCL joins the stack as its last band, resampled by nearest neighbour like the 20 m bands.
            var scl = Sentinel2Bands.FindSceneClassification(path);
            return new SceneInput(path, GdalRaster.Stack(scl is null ? files : [.. files, scl]), Enumerable.Range(1, bandCount).ToArray(), order,
                scl is null ? null : bandCount + 1);
        }
        var raster = GdalRaster.Open(path);
        try
        {
            if (raster.BandCount != bandCount)
                throw new InvalidDataException($"{path}: has {raster.BandCount} band(s) but the model needs {bandCount} ({string.Join(", ", order)}).");
            CheckBandNames(raster, order);
            return new SceneInput(path, raster, Enumerable.Range(1, bandCount).ToArray(), order);
        }
        catch
        {
            raster.Dispose();
            throw;
        }
    }

    static void CheckBandNames(GdalRaster raster, IReadOnlyList<string> order)
    {
        var names = Enumerable.Range(1, raster.BandCount).Select(b => Sentinel2Bands.BandOf(raster.BandDescription(b))).ToList();
        if (names.Any(n => n is not null) && !names.SequenceEqual(order))
            throw new InvalidDataException($"{raster.Path}: bands are named {string.Join(", ", names.Select(n => n ?? "?"))} but the model needs {string.Join(", ", order)}.");
        if (order.SequenceEqual(SentinelBands.TrueColourNames))
        {
            var colours = Enumerable.Range(1, raster.BandCount).Select(raster.ColorInterpretation).ToList();
            if (colours.All(c => c is ColorInterpretation.Red or ColorInterpretation.Green or ColorInterpretation.Blue)
                && !colours.SequenceEqual([ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue]))
                throw new InvalidDataException($"{raster.Path}: bands are tagged {string.Join(", ", colours)} but the model needs red, green, blue.");
        }
    }

    /// <summary>
    /// Writes the window of <paramref name="width"/> × <paramref name="height"/> pixels from column <paramref name="x"/>, row
    /// <paramref name="y"/> to the GeoTIFF <paramref name="path"/>, georeferenced where it lies in the scene, with all of the
    /// scene's bands (a crop to try things on; keep the product's name in it, which says what the values are).
    /// </summary>
    public void CopyWindow(int x, int y, int width, int height, string path) => GeoTiffWriter.CopyWindow(Raster, x, y, width, height, path);

    /// <summary>Closes the raster.</summary>
    public void Dispose() => Raster.Dispose();
}
