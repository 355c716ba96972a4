using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// Classifies every pixel of a scene with a window classifier (the original's 06 script), block by block, so
/// that memory depends on the block size and not on the scene: a 10980 × 10980 Sentinel-2 tile streams through.
/// </summary>
/// <remarks>
/// <para>Windows of <see cref="WindowModel.WindowSize"/> (S) pixels are classified at cell centres on a grid of
/// <see cref="SceneClassifierOptions.Stride"/> (s) pixels over the whole scene: centre k along an axis is pixel
/// k·s + ⌊s/2⌋, and its window's top-left corner is S/2 before it, cut out of the scene extended by symmetric reflection —
/// at stride 1 exactly the original. Between centres, each pixel's class probabilities are interpolated bilinearly
/// from the four nearest centres (then the arg-max taken), so a map at stride 32 has smooth boundaries instead of
/// 32-pixel squares; pixels before the first or after the last centre take the nearest one's. Inputs are prepared with
/// <see cref="SceneClassifierOptions.Preprocessing"/>; nodata, NaN and ±Inf inputs count as the mean (0 after normalisation), and pixels
/// that are themselves nodata get class <see cref="NoDataClass"/>.</para>
/// <para>Dense mode runs the model's convolutional part over a block plus a context margin. With downsampling F,
/// feature j of an input crop starting at offset r describes pixels r + F·j … r + F·j + F − 1, so an average pooling
/// with the window's feature-map size as kernel over the features of the crop that starts at the residue (window
/// start mod F) yields that window (feature j of an unpadded convolution starts at pixel r + F·j, too). At strides that
/// are not multiples of F the windows' starts fall on a finer grid of step g (the greatest common divisor of F and their
/// spacing): the convolutional part then runs once with its later layers dilated instead of strided, giving features
/// every g pixels, and a window's F-spaced features lie F / g cells apart (<see cref="Models.AtrousFeatures"/>). A
/// network that cannot be rewritten so (DenseNet201) runs once per distinct residue pair instead (shift-and-stitch):
/// (F / g)² times.</para>
/// </remarks>
internal sealed class SceneClassifier
{
    /// <summary>The class value of nodata pixels in the output.</summary>
    public const byte NoDataClass = 255;

    readonly WindowModel _model;
    readonly SceneClassifierOptions _options;
    readonly CellClassifier _cells;

    /// <summary>A classifier for <paramref name="model"/> with <paramref name="options"/>.</summary>
    public SceneClassifier(WindowModel model, SceneClassifierOptions options)
    {
        if (options.BlockSize < 1 || options.BatchSize < 1) throw new UserErrorException("Block size and batch size must be positive.");
        if (options.Stride < 1) throw new UserErrorException($"Stride {options.Stride} must be at least 1.");
        if (options.Stride > options.BlockSize) throw new UserErrorException($"Stride {options.Stride} must not exceed the block size {options.BlockSize}.");
        if (options.UncertainBelow is { } threshold && !(threshold >= 0 && threshold <= 1))
            throw new UserErrorException($"The uncertainty threshold {threshold} must lie in 0–1.");
        if (options.AgreementSamplesPerBlock < 0) throw new UserErrorException("Agreement samples per block cannot be negative.");
        if (options.AdaptiveCoarsest < 1) throw new UserErrorException($"The adaptive mode's coarsest spacing {options.AdaptiveCoarsest} must be at least 1 pixel.");
        if (!(options.AdaptiveSettledAbove is >= 0.5 and <= 1))
            throw new UserErrorException($"The adaptive mode's threshold {options.AdaptiveSettledAbove} must lie in 0.5–1 (below 0.5 a class could lose its lead between four windows that share it).");
        if (options.Radiometry is { } radiometry && radiometry.Gain.Length != options.Preprocessing.Bands)
            throw new UserErrorException($"The radiometry converts {radiometry.Gain.Length} bands but the preprocessing has {options.Preprocessing.Bands}.");
        if (options.Clouds is not null && options.Radiometry is null)
            throw new UserErrorException("The cloud test reads reflectance: give the scene's radiometry too.");
        if (options.Mode == ClassificationMode.Dense && !model.SupportsDense)
            throw new UserErrorException("Dense classification needs a network built as features → global average pooling → head (ResNet, DenseNet201, VGG16 with the original head, the scene CNN); this one supports naive mode only.");
        model.MoveTo(options.Device ?? CPU);
        model.UsePrecision(options.Precision);
        _model = model;
        _options = options;
        _cells = CellClassifier.For(model, options);
    }

    /// <summary>The settings.</summary>
    public SceneClassifierOptions Options => _options;

    /// <summary>
    /// How often the dense map (or the adaptive map's interpolated cells) agreed with naive windows at sampled cell centres
    /// during the last <see cref="Classify"/> (<see cref="SceneClassifierOptions.AgreementSamplesPerBlock"/> per block); null
    /// in naive mode and for models whose dense map is exact (<see cref="WindowModel.DenseIsExact"/>).
    /// </summary>
    public SceneAgreement? Agreement => _cells.Agreement;

    /// <summary>Adaptive mode: how many cells the last <see cref="Classify"/> classified as windows of their own; null in the other modes.</summary>
    public CellCoverage? Coverage => _cells.Coverage;

    /// <summary>The time the last <see cref="Classify"/> has spent in GDAL reading the scene so far.</summary>
    public TimeSpan ReadingTime => _reader?.ReadingTime ?? TimeSpan.Zero;

    SceneBlockReader? _reader;

    /// <summary>
    /// Classifies <paramref name="raster"/> lazily, one block at a time, rows of blocks from the top; consume the
    /// blocks as they come (write them out) to keep memory bounded.
    /// </summary>
    /// <param name="raster">The scene.</param>
    /// <param name="bands">1-based bands to feed the model, in the model's band order; all bands when null.</param>
    /// <param name="sceneClassificationBand">1-based band of <paramref name="raster"/> holding a Level-2A scene classification
    /// (SCL) on the same grid: its cloud, cirrus, shadow, snow and no-data pixels are marked as such (<see cref="SceneClassificationMask"/>).</param>
    /// <param name="waterBands">1-based bands of <paramref name="raster"/> holding green and near infrared, for
    /// <see cref="SceneClassifierOptions.Water"/> (<see cref="SceneInput.WaterBands"/>); no water test when null.</param>
    /// <exception cref="UserErrorException">The band count does not match the preprocessing's.</exception>
    public IEnumerable<ClassifiedBlock> Classify(GdalRaster raster, int[]? bands = null, int? sceneClassificationBand = null, int[]? waterBands = null)
    {
        bands ??= Enumerable.Range(1, raster.BandCount).ToArray();
        if (bands.Length != _options.Preprocessing.Bands)
            throw new UserErrorException($"{raster.Path}: {bands.Length} bands are read but the preprocessing has {_options.Preprocessing.Bands}; the model needs {_options.Preprocessing.Bands}.");
        var noData = bands.Select(b => _options.NoData ?? raster.NoData(b)).ToArray();
        _cells.Restart();
        if (sceneClassificationBand is { } scl && (scl < 1 || scl > raster.BandCount || bands.Contains(scl)))
            throw new UserErrorException($"{raster.Path}: band {scl} cannot be the scene classification (the raster has {raster.BandCount} bands; the model reads {string.Join(", ", bands)}).");
        if (waterBands is not null && (waterBands.Length != 2 || waterBands.Any(b => b < 1 || b > raster.BandCount)))
            throw new UserErrorException($"{raster.Path}: the water test reads green and near infrared, bands {string.Join(", ", waterBands)} (the raster has {raster.BandCount}).");
        _reader = new SceneBlockReader(raster, bands, noData, _options);
        return Blocks(raster, _reader, sceneClassificationBand, _options.Water is null ? null : waterBands);
    }

    IEnumerable<ClassifiedBlock> Blocks(GdalRaster raster, SceneBlockReader reader, int? sceneClassificationBand, int[]? waterBands)
    {
        _model.Eval();
        int size = _options.BlockSize;
        for (int y = 0; y < raster.Height; y += size)
            for (int x = 0; x < raster.Width; x += size)
                yield return ClassifyBlock(raster, reader, sceneClassificationBand, waterBands, x, y, Math.Min(size, raster.Width - x), Math.Min(size, raster.Height - y));
    }

    ClassifiedBlock ClassifyBlock(GdalRaster raster, SceneBlockReader reader, int? sceneClassificationBand, int[]? waterBands, int bx, int by, int bw, int bh)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int window = _model.WindowSize, half = window / 2, margin = _cells.Margin;
        var rowCells = CellAxis.For(by, bh, raster.Height, _options.Stride);
        var colCells = CellAxis.For(bx, bw, raster.Width, _options.Stride);
        // Input rows/columns the block's cells need, as scene coordinates: their windows plus the strategy's margin and extra.
        var rows = SceneBlockReader.SceneIndices(rowCells.FirstCentre - half - margin, rowCells.Span + window + 2 * margin + _cells.Extra, raster.Height);
        var cols = SceneBlockReader.SceneIndices(colCells.FirstCentre - half - margin, colCells.Span + window + 2 * margin + _cells.Extra, raster.Width);

        var block = reader.Read(rows, cols, bx, by, bw, bh);
        if (block.CentreNoData.all().item<bool>()) return NoDataBlock(bx, by, bw, bh);
        var sceneClassification = sceneClassificationBand is { } sclBand ? reader.SceneClassification(sclBand, bx, by, bw, bh) : null;
        var notWater = waterBands is not null ? reader.NotWater(waterBands, bx, by, bw, bh) : null;
        // Top-left corner of each cell's window, as an index into the input.
        var cells = new BlockCells(rowCells, colCells,
            rowCells.Centres.Select(c => (long)(c - rowCells.FirstCentre + margin)).ToArray(),
            colCells.Centres.Select(c => (long)(c - colCells.FirstCentre + margin)).ToArray(), bx, by, bw, bh);
        return BlockPixels.Of(_cells.Classify(block, cells), block, cells, sceneClassification, notWater, _options, window);
    }

    /// <summary>A block without data: no model run (an all-nodata block costs nothing).</summary>
    ClassifiedBlock NoDataBlock(int bx, int by, int bw, int bh)
    {
        float[]? all = null;
        if (_options.KeepAllProbabilities)
        {
            // The class count is the model's; learn it from one window of zeros.
            using var zeros = torch.zeros(1, _options.Preprocessing.Bands, _model.WindowSize, _model.WindowSize);
            using var logits = _model.Logits(zeros);
            all = Enumerable.Repeat(float.NaN, (int)logits.shape[1] * bw * bh).ToArray();
        }
        return new ClassifiedBlock(bx, by, bw, bh, Enumerable.Repeat(NoDataClass, bw * bh).ToArray(),
            Enumerable.Repeat(float.NaN, bw * bh).ToArray(), all);
    }
}
