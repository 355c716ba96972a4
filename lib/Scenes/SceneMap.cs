using System.Diagnostics;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// A scene classified into a land-use map, the one call of notebooks and of <c>cnnsentinel classify</c>: <see cref="Write"/>
/// streams a scene of any size, block by block, into its map files (<see cref="SceneOutputPaths"/>); <see cref="Classify"/>
/// keeps a crop's map in memory. Either way the map has the class and probability of every pixel, the pixels per class
/// and mask, and the time taken.
/// </summary>
public sealed class SceneMap
{
    readonly Lazy<byte[]> _classes;
    readonly Lazy<float[]> _probability;
    SceneAgreement? _agreement; // set by Write once the last block has been classified
    CellCoverage? _coverage; // likewise

    SceneMap(int width, int height, MapValueCounts counts, TimeSpan elapsed, SceneOutputPaths? outputs,
        Func<byte[]> classes, Func<float[]> probability, SceneAgreement? agreement, CellCoverage? coverage)
    {
        Width = width;
        Height = height;
        PixelCounts = counts.PerValue;
        NoDataPixels = counts.NoData;
        Elapsed = elapsed;
        Outputs = outputs;
        _classes = new(classes);
        _probability = new(probability);
        _agreement = agreement;
        _coverage = coverage;
    }

    /// <summary>
    /// Of <see cref="Elapsed"/>, the time spent producing the map's blocks: reading, the model, interpolation and masks. The
    /// rest of <see cref="Write"/>'s time went to writing the files.
    /// </summary>
    public TimeSpan ClassifyingTime { get; private set; }

    /// <summary>Of <see cref="ClassifyingTime"/>, the time GDAL spent reading the scene's pixels (each block with its windows' margins).</summary>
    public TimeSpan ReadingTime { get; private set; }

    /// <summary>Columns of the scene.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Pixels per map value (index = value): the classes, then the masks (<see cref="MapMask"/>), <see cref="ClassLegend.ValueCount"/> in all.</summary>
    public IReadOnlyList<long> PixelCounts { get; }

    /// <summary>Pixels without data.</summary>
    public long NoDataPixels { get; }

    /// <summary>Time taken, writing included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Pixels classified per second.</summary>
    public double PixelsPerSecond => Elapsed.TotalSeconds > 0 ? (double)Width * Height / Elapsed.TotalSeconds : 0;

    /// <summary>The files written; null for a map classified in memory.</summary>
    public SceneOutputPaths? Outputs { get; }

    /// <summary>
    /// Dense mode with a padded network, and adaptive mode: the share (0–1) of sampled cell centres
    /// (<see cref="SceneClassifierOptions.AgreementSamplesPerBlock"/> per block; adaptive mode samples interpolated cells
    /// only) where the map's class equals that of the centre's window classified on its own, the original's naive method;
    /// null in naive mode and for networks whose dense map is exact (<see cref="WindowModel.DenseIsExact"/>).
    /// </summary>
    public double? NaiveAgreement => _agreement?.Rate;

    /// <summary>How many cell centres <see cref="NaiveAgreement"/> compared.</summary>
    public long NaiveAgreementSamples => _agreement?.Compared ?? 0;

    /// <summary>
    /// Adaptive mode: the share (0–1) of the stride grid's cells whose windows went through the network (about the share
    /// of naive windows' time the model took); the rest were interpolated. Null in the other modes.
    /// </summary>
    public double? ClassifiedCellShare => _coverage?.Share;

    /// <summary>
    /// The map value of every pixel, row after row: a class index, a <see cref="MapMask"/> value, or
    /// <see cref="SceneClassifier.NoDataClass"/> (255) where the scene has no data. A written map reads it back from its class GeoTIFF on first use, as any GIS would.
    /// </summary>
    public byte[] Classes => _classes.Value;

    /// <summary>The probability of each pixel's class (softmax, 0–1; NaN without data), row after row; read back from the probability GeoTIFF for a written map.</summary>
    public float[] Probability => _probability.Value;

    /// <summary>
    /// Classifies <paramref name="scene"/> with <paramref name="model"/> into its map files <paramref name="outputs"/> (class
    /// GeoTIFF with colour table and class names, probability GeoTIFF(s), QGIS style, legend, preview), block by block, so that
    /// memory depends on <see cref="SceneClassifierOptions.BlockSize"/> and not on the scene.
    /// </summary>
    /// <param name="scene">The scene; it must be georeferenced. A Level-2A product's scene classification marks its clouds, cirrus, shadows and snow.</param>
    /// <param name="model">The window classifier.</param>
    /// <param name="options">How to classify (<see cref="SceneClassifierOptions.For"/>: the command's settings).</param>
    /// <param name="outputs">Where the files go (<see cref="SceneOutputPaths.For"/>).</param>
    /// <param name="legend">Class names and colours, as many classes as the model has outputs; <see cref="ClassLegend.EuroSat"/> when null.</param>
    /// <param name="progress">Told after each block (e.g. a <c>ConsoleProgress</c>); none when null.</param>
    /// <exception cref="InvalidDataException">The scene is not georeferenced, or the model's class count differs from the legend's.</exception>
    /// <exception cref="UserErrorException">The options do not suit the model or the scene.</exception>
    public static SceneMap Write(SceneInput scene, WindowModel model, SceneClassifierOptions options, SceneOutputPaths outputs, ClassLegend? legend = null,
        IProgress<SceneProgress>? progress = null) =>
        WriteRecorded(scene, model, options, outputs, runRecord: null, legend, progress);

    /// <summary>
    /// <see cref="Write"/>, publishing
    /// <paramref name="runRecord"/> (what made the map) with the map files, as one set (<c>classify</c>).
    /// </summary>
    internal static SceneMap WriteRecorded(SceneInput scene, WindowModel model, SceneClassifierOptions options, SceneOutputPaths outputs,
        SceneRunRecord? runRecord, ClassLegend? legend = null, IProgress<SceneProgress>? progress = null)
    {
        var classifier = new SceneClassifier(model, options);
        var classifying = new Stopwatch();
        var blocks = SceneProgress.Track(Timed(classifier.Classify(scene.Raster, scene.Bands, scene.SceneClassificationBand, scene.WaterBands), classifying),
            scene.Width, scene.Height, options.BlockSize, progress);
        var map = SceneMapWriter.Write(scene.Raster, blocks, legend ?? ClassLegend.EuroSat, outputs, runRecord);
        (map._agreement, map._coverage) = (classifier.Agreement, classifier.Coverage);
        (map.ClassifyingTime, map.ReadingTime) = (classifying.Elapsed, classifier.ReadingTime);
        return map;
    }

    /// <summary>
    /// Classifies <paramref name="scene"/> with <paramref name="model"/> in memory, writing nothing: for crops, timings and
    /// comparisons (the whole map is held, a byte and a float per pixel).
    /// </summary>
    /// <param name="scene">The scene.</param>
    /// <param name="model">The window classifier.</param>
    /// <param name="options">How to classify.</param>
    /// <param name="legend">Class names, as many as the model has outputs; <see cref="ClassLegend.EuroSat"/> when null.</param>
    /// <param name="progress">Told after each block; none when null.</param>
    /// <exception cref="InvalidDataException">The model's class count differs from the legend's.</exception>
    /// <exception cref="UserErrorException">The options do not suit the model or the scene.</exception>
    public static SceneMap Classify(SceneInput scene, WindowModel model, SceneClassifierOptions options, ClassLegend? legend = null,
        IProgress<SceneProgress>? progress = null)
    {
        var watch = Stopwatch.StartNew();
        var classifying = new Stopwatch();
        var classifier = new SceneClassifier(model, options);
        int width = scene.Width;
        var classes = new byte[width * scene.Height];
        var probability = new float[classes.Length];
        var counts = new MapValueCounts(legend ?? ClassLegend.EuroSat, scene.Path);
        foreach (var block in SceneProgress.Track(Timed(classifier.Classify(scene.Raster, scene.Bands, scene.SceneClassificationBand, scene.WaterBands), classifying),
            width, scene.Height, options.BlockSize, progress))
        {
            counts.Add(block);
            for (int row = 0; row < block.Height; row++)
            {
                Array.Copy(block.Classes, row * block.Width, classes, (block.Y + row) * width + block.X, block.Width);
                Array.Copy(block.Confidence, row * block.Width, probability, (block.Y + row) * width + block.X, block.Width);
            }
        }
        return new SceneMap(width, scene.Height, counts, watch.Elapsed, null, () => classes, () => probability, classifier.Agreement, classifier.Coverage)
        {
            ClassifyingTime = classifying.Elapsed,
            ReadingTime = classifier.ReadingTime,
        };
    }

    /// <summary><paramref name="blocks"/>, with the time spent producing each one added to <paramref name="watch"/>.</summary>
    static IEnumerable<ClassifiedBlock> Timed(IEnumerable<ClassifiedBlock> blocks, Stopwatch watch)
    {
        using var e = blocks.GetEnumerator();
        while (true)
        {
            watch.Start();
            bool more = e.MoveNext();
            watch.Stop();
            if (!more) yield break;
            yield return e.Current;
        }
    }

    /// <summary>The map <see cref="SceneMapWriter"/> wrote to <paramref name="outputs"/>: its pixels are read back from the files when asked for.</summary>
    internal static SceneMap Written(int width, int height, MapValueCounts counts, TimeSpan elapsed, SceneOutputPaths outputs) =>
        new(width, height, counts, elapsed, outputs, () => ReadBand(outputs.Classes).Select(v => (byte)v).ToArray(), () => ReadBand(outputs.Probability), null, null);

    static float[] ReadBand(string path)
    {
        using var raster = GdalRaster.Open(path);
        return raster.Read(0, 0, raster.Width, raster.Height, [1]);
    }
}
