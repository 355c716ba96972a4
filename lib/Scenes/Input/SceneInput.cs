using CnnSentinel.Datasets;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// A scene ready for a model: the raster and which of its bands, in the model's order, to read. Opens a multi-band
/// file (GeoTIFF, JP2, VRT) as is, or stacks the band files of a folder or SAFE product on the 10 m grid.
/// </summary>
public sealed class SceneInput : IDisposable
{
    /// <summary>The release of the system GDAL that reads scenes and writes maps, e.g. "3.6.2".</summary>
    public static string GdalVersion => Gdal.Version;

    /// <summary>
    /// GDAL's block cache cap in bytes while scenes are read and maps written (256 MiB unless GDAL_CACHEMAX says
    /// otherwise): the one store of a classification whose memory grows with the scene, up to this.
    /// </summary>
    public const long GdalCacheBytes = Gdal.DefaultCacheBytes;

    SceneInput(string path, GdalRaster raster, int[] bands, IReadOnlyList<string> bandNames, int? sceneClassificationBand = null)
    {
        Path = path;
        Raster = raster;
        Bands = bands;
        BandNames = bandNames;
        SceneClassificationBand = sceneClassificationBand;
        WaterBands = WaterBandsOf(raster, bands, bandNames);
        var detected = SceneRadiometry.Detect(path, bandNames, raster.DataType(bands[0]) == RasterDataType.Byte);
        Radiometry = detected.AsClassifyFeedsIt();
    }

    /// <summary>The 1-based band of <see cref="Raster"/> holding a Level-2A scene classification (SCL) resampled to the 10 m grid; null without one.</summary>
    public int? SceneClassificationBand { get; }

    /// <summary>
    /// The 1-based bands of <see cref="Raster"/> holding green (B03) and near infrared (B08), for the water test
    /// (<see cref="WaterTest"/>): among the model's bands, or among a file's named bands; null where there is no near infrared.
    /// </summary>
    public int[]? WaterBands { get; }

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
    /// A folder (or SAFE product) is searched for band files (<see cref="ProductBandFiles.FindFiles"/>), which are
    /// stacked in the model's order with 20 m and 60 m bands resampled to 10 m by nearest neighbour, as EuroSAT was
    /// made (issue #3); a Level-2A product's scene classification (SCL) is stacked after them. A file whose bands are
    /// named (descriptions such as "B04" or "b04") gives the model its bands by name, from any number of bands in any
    /// order (an 8-band stack with NDVI, a 13-band Level-1C stack with B8A after B08); a file without band names must
    /// have exactly <paramref name="bandCount"/> bands, and where they are colour-tagged (red, green, blue) the tags must
    /// match the model's order.
    /// </remarks>
    /// <exception cref="InvalidDataException">A band the model needs is missing or named twice, or an unnamed file has
    /// the wrong band count or colour order; the message names the file and what it has.</exception>
    public static SceneInput Open(string path, int bandCount)
    {
        var order = SentinelBands.OrderFor(bandCount);
        if (Directory.Exists(path))
        {
            var files = ProductBandFiles.FindFiles(path, order);
            // A Level-2A product's SCL joins the stack as its last band, resampled by nearest neighbour like the 20 m bands.
            var scl = ProductBandFiles.FindSceneClassification(path);
            return new SceneInput(path, GdalRaster.Stack(scl is null ? files : [.. files, scl]), Enumerable.Range(1, bandCount).ToArray(), order,
                scl is null ? null : bandCount + 1);
        }
        var raster = GdalRaster.Open(path);
        try
        {
            return new SceneInput(path, raster, BandsFor(raster, order), order);
        }
        catch
        {
            raster.Dispose();
            throw;
        }
    }

    /// <summary>The Sentinel-2 band each band of <paramref name="raster"/> is named for (its description, e.g. B04 or b04); null where unnamed.</summary>
    static List<string?> BandNamesOf(GdalRaster raster) =>
        [.. Enumerable.Range(1, raster.BandCount).Select(b => ProductBandFiles.BandOf(raster.BandDescription(b)))];

    /// <summary>Green and near infrared among the bands read for the model, else among the raster's named bands; null without both.</summary>
    static int[]? WaterBandsOf(GdalRaster raster, int[] bands, IReadOnlyList<string> order)
    {
        string[] wanted = [SentinelBands.Names[SentinelBands.Green], SentinelBands.Names[SentinelBands.NearInfrared]];
        var read = order.ToList();
        if (wanted.All(read.Contains)) return [.. wanted.Select(b => bands[read.IndexOf(b)])];
        var names = BandNamesOf(raster);
        return wanted.All(names.Contains) ? [.. wanted.Select(b => names.IndexOf(b) + 1)] : null;
    }

    /// <summary>The 1-based bands of <paramref name="raster"/> that hold <paramref name="order"/>: by name where its bands are named, else all of them in file order.</summary>
    static int[] BandsFor(GdalRaster raster, IReadOnlyList<string> order)
    {
        var names = BandNamesOf(raster);
        string Listed() => string.Join(", ", names.Select(n => n ?? "?"));
        if (names.Any(n => n is not null))
        {
            var twice = names.OfType<string>().GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (twice.Count > 0)
                throw new InvalidDataException($"{raster.Path}: band {string.Join(", ", twice)} is named more than once (bands {Listed()}).");
            var missing = order.Where(b => !names.Contains(b)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{raster.Path}: bands are named {Listed()} but the model needs {string.Join(", ", order)} (missing {string.Join(", ", missing)}).");
            return order.Select(b => names.IndexOf(b) + 1).ToArray();
        }
        if (raster.BandCount != order.Count)
            throw new InvalidDataException($"{raster.Path}: has {raster.BandCount} band(s) but the model needs {order.Count} ({string.Join(", ", order)}); " +
                "name the bands (band descriptions B02, B03, …) so that they can be picked by name.");
        if (order.SequenceEqual(SentinelBands.TrueColourNames))
        {
            var colours = Enumerable.Range(1, raster.BandCount).Select(raster.ColorInterpretation).ToList();
            if (colours.All(c => c is ColorInterpretation.Red or ColorInterpretation.Green or ColorInterpretation.Blue)
                && !colours.SequenceEqual([ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue]))
                throw new InvalidDataException($"{raster.Path}: bands are tagged {string.Join(", ", colours)} but the model needs red, green, blue.");
        }
        return Enumerable.Range(1, order.Count).ToArray();
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
