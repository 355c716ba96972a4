using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

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
/// start mod F) yields that window (feature j of an unpadded convolution starts at pixel r + F·j, too); one crop per
/// distinct residue pair (shift-and-stitch) covers every centre: one at strides that are multiples of F, F × F at stride 1.</para>
/// </remarks>
internal sealed class SceneClassifier
{
    /// <summary>The class value of nodata pixels in the output.</summary>
    public const byte NoDataClass = 255;

    // Numbers passed to libtorch per block, referenced for the whole process (see HeldScalars).
    static readonly Scalar NoDataFill = NoDataClass.ToScalar();
    static readonly Scalar UncertainFill = ((byte)MapMask.Uncertain).ToScalar();
    static readonly Scalar CloudFill = ((byte)MapMask.Cloud).ToScalar();
    static readonly Scalar NotANumber = float.NaN.ToScalar();
    static readonly Scalar Zero = 0f.ToScalar();

    readonly WindowModel _model;
    readonly SceneClassifierOptions _options;
    long _compared, _agreed;

    /// <summary>A classifier for <paramref name="model"/> with <paramref name="options"/>.</summary>
    public SceneClassifier(WindowModel model, SceneClassifierOptions options)
    {
        if (options.BlockSize < 1 || options.BatchSize < 1) throw new UserErrorException("Block size and batch size must be positive.");
        if (options.Stride < 1) throw new UserErrorException($"Stride {options.Stride} must be at least 1.");
        if (options.Stride > options.BlockSize) throw new UserErrorException($"Stride {options.Stride} must not exceed the block size {options.BlockSize}.");
        if (options.UncertainBelow is { } threshold && !(threshold >= 0 && threshold <= 1))
            throw new UserErrorException($"The uncertainty threshold {threshold} must lie in 0–1.");
        if (options.AgreementSamplesPerBlock < 0) throw new UserErrorException("Agreement samples per block cannot be negative.");
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
    }

    /// <summary>The settings.</summary>
    public SceneClassifierOptions Options => _options;

    /// <summary>
    /// How often the dense map agreed with naive windows at sampled cell centres during the last <see cref="Classify"/>
    /// (<see cref="SceneClassifierOptions.AgreementSamplesPerBlock"/> per block); null in naive mode and for models whose
    /// dense map is exact (<see cref="WindowModel.DenseIsExact"/>).
    /// </summary>
    public SceneAgreement? Agreement => _compared == 0 ? null : new SceneAgreement(_compared, _agreed);

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
        _compared = _agreed = 0;
        if (sceneClassificationBand is { } scl && (scl < 1 || scl > raster.BandCount || bands.Contains(scl)))
            throw new UserErrorException($"{raster.Path}: band {scl} cannot be the scene classification (the raster has {raster.BandCount} bands; the model reads {string.Join(", ", bands)}).");
        if (waterBands is not null && (waterBands.Length != 2 || waterBands.Any(b => b < 1 || b > raster.BandCount)))
            throw new UserErrorException($"{raster.Path}: the water test reads green and near infrared, bands {string.Join(", ", waterBands)} (the raster has {raster.BandCount}).");
        return Blocks(raster, bands, noData, sceneClassificationBand, _options.Water is null ? null : waterBands);
    }

    IEnumerable<ClassifiedBlock> Blocks(GdalRaster raster, int[] bands, double?[] noData, int? sceneClassificationBand, int[]? waterBands)
    {
        _model.Eval();
        int size = _options.BlockSize;
        for (int y = 0; y < raster.Height; y += size)
            for (int x = 0; x < raster.Width; x += size)
                yield return ClassifyBlock(raster, bands, noData, sceneClassificationBand, waterBands, x, y, Math.Min(size, raster.Width - x), Math.Min(size, raster.Height - y));
    }

    ClassifiedBlock ClassifyBlock(GdalRaster raster, int[] bands, double?[] noData, int? sceneClassificationBand, int[]? waterBands,
        int bx, int by, int bw, int bh)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int window = _model.WindowSize, half = window / 2, stride = _options.Stride;
        bool dense = _options.Mode == ClassificationMode.Dense;
        int f = dense ? _model.Downsampling : 1;
        int margin = dense ? (_options.ContextMargin + f - 1) / f * f : 0;
        var rowCells = CellAxis.For(by, bh, raster.Height, stride);
        var colCells = CellAxis.For(bx, bw, raster.Width, stride);
        // Input rows/columns the block's cells need, as scene coordinates: their windows plus (dense) the context
        // margin and one extra downsampling step so that every shifted crop has the same size.
        var rows = SceneIndices(rowCells.FirstCentre - half - margin, rowCells.Span + window + 2 * margin + (dense ? f : 0), raster.Height);
        var cols = SceneIndices(colCells.FirstCentre - half - margin, colCells.Span + window + 2 * margin + (dense ? f : 0), raster.Width);

        var (input, centreNoData, inputCloud, centreCloud) = ReadNormalised(raster, bands, noData, rows, cols, bx, by, bw, bh);
        if (centreNoData.all().item<bool>()) return NoDataBlock(bx, by, bw, bh);
        var sceneClassification = sceneClassificationBand is { } sclBand
            ? tensor(raster.Read(bx, by, bw, bh, [sclBand]), [bh, bw]).to_type(ScalarType.Int64)
            : null;

        // Top-left corner of each cell's window, as an index into the input.
        var rowStarts = rowCells.Centres.Select(c => (long)(c - rowCells.FirstCentre + margin)).ToArray();
        var colStarts = colCells.Centres.Select(c => (long)(c - colCells.FirstCentre + margin)).ToArray();
        var cells = dense ? DenseCells(input, rowStarts, colStarts) : NaiveCells(input, rowStarts, colStarts); // [K, cells y, cells x]
        if (dense && !_model.DenseIsExact && _options.AgreementSamplesPerBlock > 0)
            SampleAgreement(input, cells, rowCells, colCells, rowStarts, colStarts, bx, by, bw, bh, centreNoData);
        var probabilities = Interpolate(cells, rowCells, colCells); // [K, bh, bw]
        // Uncertain says how sure the model is of its window, before the water test changes a pixel's class within it.
        Tensor? windowConfidence = null;
        if (waterBands is not null && _options.Water is { } water)
        {
            (windowConfidence, _) = probabilities.max(0);
            var greenAndNir = tensor(raster.Read(bx, by, bw, bh, waterBands), [2, bh, bw]);
            probabilities = water.Apply(probabilities, WaterTest.NotWater(greenAndNir[0], greenAndNir[1]));
        }

        var (confidence, classes) = probabilities.max(0);
        var classBytes = classes.to_type(ScalarType.Byte);
        using (var held = new HeldScalars())
        {
            if (_options.UncertainBelow is { } threshold)
                classBytes = classBytes.masked_fill((windowConfidence ?? confidence).lt(held.Of(threshold)), UncertainFill);
            if (inputCloud is not null && _options.Clouds is { } test)
            {
                // The share of cloud in each cell's window, interpolated like the probabilities: a window that is mostly
                // cloud gives no land-use class, whatever the model says about it — unless it is confident of built-up
                // land, whose white roofs pass the test too (CloudTest's remarks).
                var share = WindowShares(inputCloud, rowStarts, colStarts, window);
                var pixelShare = Interpolate(share.unsqueeze(0), rowCells, colCells)[0];
                var cloudy = pixelShare.ge(held.Of(test.CloudyWindowShare));
                var cloud = centreCloud!;
                if (test.Spared(classes, confidence) is { } spared)
                {
                    cloudy = cloudy.logical_and(spared.logical_not());
                    cloud = cloud.logical_and(spared.logical_not());
                }
                classBytes = classBytes.masked_fill(cloudy, UncertainFill).masked_fill(cloud, CloudFill);
            }
        }
        if (sceneClassification is not null) classBytes = SceneClassificationMask.Apply(classBytes, sceneClassification);
        classBytes = classBytes.masked_fill(centreNoData, NoDataFill);
        // The probability map shows what Uncertain is judged on.
        confidence = (windowConfidence ?? confidence).masked_fill(centreNoData, NotANumber);
        float[]? all = _options.KeepAllProbabilities
            ? probabilities.masked_fill(centreNoData.unsqueeze(0), NotANumber).contiguous().data<float>().ToArray()
            : null;
        return new ClassifiedBlock(bx, by, bw, bh, classBytes.contiguous().data<byte>().ToArray(),
            confidence.contiguous().data<float>().ToArray(), all);
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

    /// <summary>
    /// Scene index for each of <paramref name="count"/> coordinates from <paramref name="start"/>: inside the scene
    /// itself, outside it the symmetric reflection (numpy's "symmetric" padding, repeated for scenes smaller than the window).
    /// </summary>
    static long[] SceneIndices(int start, int count, int size)
    {
        var indices = new long[count];
        for (int i = 0; i < count; i++)
        {
            int m = (((start + i) % (2 * size)) + 2 * size) % (2 * size);
            indices[i] = m < size ? m : 2 * size - 1 - m;
        }
        return indices;
    }

    /// <summary>
    /// Reads the rows × columns the block needs, converted to the model's units and normalised, as [C, rows, columns];
    /// the nodata mask of the block itself; and, with a cloud test, the cloud mask of the input ([rows, columns]) and of the block.
    /// </summary>
    (Tensor Input, Tensor CentreNoData, Tensor? InputCloud, Tensor? CentreCloud) ReadNormalised(GdalRaster raster, int[] bands, double?[] noData,
        long[] rows, long[] cols, int bx, int by, int bw, int bh)
    {
        int r0 = (int)rows.Min(), r1 = (int)rows.Max();
        int c0 = (int)cols.Min(), c1 = (int)cols.Max();
        int h = r1 - r0 + 1, w = c1 - c0 + 1, channels = bands.Length;
        var raw = tensor(raster.Read(c0, r0, w, h, bands), [channels, h, w]);
        var invalid = raw.isfinite().logical_not().any(0); // NaN and ±Inf: no value a class could be read from
        for (int b = 0; b < channels; b++)
            if (noData[b] is { } value && !double.IsNaN(value))
            {
                using var held = new HeldScalars();
                invalid = invalid.logical_or(raw[b].eq(held.Of(value)));
            }
        var rowIndex = tensor(rows.Select(i => i - r0).ToArray());
        var colIndex = tensor(cols.Select(i => i - c0).ToArray());
        Tensor Centre(Tensor map) => map[TensorIndex.Slice(by - r0, by - r0 + bh), TensorIndex.Slice(bx - c0, bx - c0 + bw)];
        Tensor? cloud = null;
        if (_options.Radiometry is { } radiometry)
        {
            if (_options.Clouds is { } test) cloud = test.Mask(raw, radiometry).logical_and(invalid.logical_not());
            if (!radiometry.IsIdentity)
            {
                using var held = new HeldScalars();
                raw = (raw * tensor(radiometry.Gain).view(channels, 1, 1) + tensor(radiometry.Offset).view(channels, 1, 1))
                    .clamp(held.Of(0.0), float.IsPositiveInfinity(radiometry.Maximum) ? null : held.Of(radiometry.Maximum));
            }
        }
        var normalised = _options.Preprocessing.Apply(raw).masked_fill(invalid.unsqueeze(0), Zero);
        var input = normalised.index_select(1, rowIndex).index_select(2, colIndex);
        return (input, Centre(invalid), cloud?.index_select(0, rowIndex).index_select(1, colIndex), cloud is null ? null : Centre(cloud));
    }

    /// <summary>
    /// The original's method: windows cut out and classified on their own, in batches, one per cell. Returns [K, cells y, cells x].
    /// </summary>
    Tensor NaiveCells(Tensor input, long[] rowStarts, long[] colStarts)
    {
        int window = _model.WindowSize, batch = _options.BatchSize;
        var rowsOut = new List<Tensor>(rowStarts.Length);
        foreach (var r in rowStarts)
        {
            var row = input.narrow(1, r, window); // [C, S, W], a view
            var parts = new List<Tensor>();
            // Windows stacked from views copy only their own pixels (an index_select through an unfold view copied a
            // whole row of windows at every offset first: more time than the network at stride 32).
            for (int c = 0; c < colStarts.Length; c += batch)
                parts.Add(F.softmax(_model.Logits(stack(colStarts.Skip(c).Take(batch).Select(x => row.narrow(2, x, window)).ToList(), 0)), 1));
            rowsOut.Add(cat(parts, 0)); // [cells x, K]
        }
        return stack(rowsOut, 0).permute(2, 0, 1);
    }

    /// <summary>Fully convolutional classification of a block's cells (see the class remarks). Returns [K, cells y, cells x].</summary>
    Tensor DenseCells(Tensor input, long[] rowStarts, long[] colStarts)
    {
        int f = _model.Downsampling, kernel = _model.FeatureWindow((int)input.shape[0]);
        int cropH = ((int)input.shape[1] - (f - 1)) / f * f, cropW = ((int)input.shape[2] - (f - 1)) / f * f;
        var shifts = rowStarts.Select(r => r % f).Distinct().SelectMany(ry => colStarts.Select(c => c % f).Distinct().Select(rx => (ry, rx))).ToList();
        int shiftsPerBatch = Math.Max(1, _options.BatchSize / 64);
        Tensor? cells = null;
        for (int first = 0; first < shifts.Count; first += shiftsPerBatch)
        {
            var batch = shifts.Skip(first).Take(shiftsPerBatch).ToList();
            var crops = stack(batch.Select(s => input.narrow(1, s.ry, cropH).narrow(2, s.rx, cropW)).ToList(), 0);
            var features = _model.FeatureMap(crops);
            // Window-sized average pooling, separably (two 1-D passes cost 2·k instead of k² additions).
            var pooled = F.avg_pool2d(F.avg_pool2d(features, [kernel, 1], [1, 1]), [1, kernel], [1, 1]); // [n, C', Hf, Wf]
            for (int i = 0; i < batch.Count; i++)
            {
                var (ry, rx) = batch[i];
                var yk = Enumerable.Range(0, rowStarts.Length).Where(k => rowStarts[k] % f == ry).ToArray();
                var xk = Enumerable.Range(0, colStarts.Length).Where(k => colStarts[k] % f == rx).ToArray();
                var fy = tensor(yk.Select(k => (rowStarts[k] - ry) / f).ToArray());
                var fx = tensor(xk.Select(k => (colStarts[k] - rx) / f).ToArray());
                var selected = pooled[i].index_select(1, fy).index_select(2, fx); // [C', ny, nx]
                var logits = _model.HeadOfPooled(selected.permute(1, 2, 0).reshape(-1, selected.shape[0]));
                var probabilities = F.softmax(logits, 1).reshape(yk.Length, xk.Length, -1).permute(2, 0, 1); // [K, ny, nx]
                cells ??= zeros(probabilities.shape[0], rowStarts.Length, colStarts.Length);
                cells.index_put_(probabilities, TensorIndex.Colon, TensorIndex.Tensor(tensor(yk.Select(k => (long)k).ToArray()).unsqueeze(1)),
                    TensorIndex.Tensor(tensor(xk.Select(k => (long)k).ToArray()).unsqueeze(0)));
            }
        }
        return cells!;
    }

    /// <summary>
    /// Compares the dense classes of a few of the block's cells (centres inside the block and with data, picked by a
    /// generator seeded with the block's position, so reruns sample the same cells) with their windows classified naively.
    /// </summary>
    void SampleAgreement(Tensor input, Tensor cells, CellAxis rowCells, CellAxis colCells, long[] rowStarts, long[] colStarts,
        int bx, int by, int bw, int bh, Tensor centreNoData)
    {
        var noData = centreNoData.contiguous().data<bool>().ToArray(); // read once, not one tensor element per cell
        var candidates = new List<(int Y, int X)>();
        for (int y = 0; y < rowCells.Centres.Length; y++)
            for (int x = 0; x < colCells.Centres.Length; x++)
            {
                int cy = rowCells.Centres[y] - by, cx = colCells.Centres[x] - bx;
                if (cy >= 0 && cy < bh && cx >= 0 && cx < bw && !noData[cy * bw + cx]) candidates.Add((y, x));
            }
        if (candidates.Count == 0) return;
        var random = new Random(HashCode.Combine(bx, by));
        var picked = candidates.OrderBy(_ => random.Next()).Take(_options.AgreementSamplesPerBlock).ToList();
        int window = _model.WindowSize;
        var windows = stack(picked.Select(p => input.narrow(1, rowStarts[p.Y], window).narrow(2, colStarts[p.X], window)).ToList(), 0);
        var naive = _model.Logits(windows).argmax(1);
        var denseClasses = cells.argmax(0);
        var dense = stack(picked.Select(p => denseClasses[p.Y, p.X]).ToList(), 0);
        _compared += picked.Count;
        _agreed += naive.eq(dense).sum().item<long>();
    }

    /// <summary>
    /// The share of true pixels of <paramref name="mask"/> [H, W] in each cell's window [cells y, cells x], from a summed-area
    /// table: four look-ups per cell instead of a window-sized average at every input pixel (the counts stay exact in
    /// float32 up to 16 million pixels per block).
    /// </summary>
    internal static Tensor WindowShares(Tensor mask, long[] rowStarts, long[] colStarts, int window)
    {
        var table = F.pad(mask.to_type(ScalarType.Float32).cumsum(0).cumsum(1), [1, 0, 1, 0]); // [H + 1, W + 1], table[y, x] = sum above and left
        Tensor At(long[] rows, long[] cols) => table.index_select(0, tensor(rows)).index_select(1, tensor(cols));
        var rowEnds = rowStarts.Select(r => r + window).ToArray();
        var colEnds = colStarts.Select(c => c + window).ToArray();
        using var held = new HeldScalars();
        return (At(rowEnds, colEnds) - At(rowStarts, colEnds) - At(rowEnds, colStarts) + At(rowStarts, colStarts)) / held.Of((double)window * window);
    }

    /// <summary>Cell probabilities [K, cells y, cells x] → pixel probabilities [K, bh, bw], bilinearly (see the class remarks).</summary>
    static Tensor Interpolate(Tensor cells, CellAxis rows, CellAxis cols)
    {
        var alongX = Lerp(cells, 2, cols);
        return Lerp(alongX, 1, rows);
    }

    static Tensor Lerp(Tensor cells, int dimension, CellAxis axis)
    {
        var lower = cells.index_select(dimension, tensor(axis.Lower));
        if (axis.Weights.All(w => w == 0)) return lower;
        var upper = cells.index_select(dimension, tensor(axis.Upper));
        var shape = Enumerable.Repeat(1L, 3).ToArray();
        shape[dimension] = axis.Weights.Length;
        return lower.lerp(upper, tensor(axis.Weights).view(shape));
    }
}
