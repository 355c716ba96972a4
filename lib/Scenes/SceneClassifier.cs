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
/// <para>Pixel (x, y) gets the class of the window of <see cref="WindowModel.WindowSize"/> (S) pixels whose
/// top-left corner is (x − S/2, y − S/2), cut out of the scene padded by S/2 pixels with symmetric reflection —
/// exactly the original. Inputs are normalised per band, <c>(value − mean) / std</c>; nodata and NaN inputs count
/// as the mean (0 after normalisation), and pixels that are themselves nodata get class <see cref="NoDataClass"/>.</para>
/// <para>Dense mode runs <see cref="WindowModel.Features"/> over a block plus a context margin. With downsampling F,
/// feature j of an input crop starting at offset r describes pixels r + F·j … r + F·j + F − 1, so an average
/// pooling with the window's feature-map size as kernel over the features of the crop that starts at the residue
/// (y mod F) yields the window of pixel y (feature j of an unpadded convolution starts at pixel r + F·j, too); F × F shifted crops (shift-and-stitch) give every pixel at stride 1, fewer at larger strides.</para>
/// </remarks>
public sealed class SceneClassifier
{
    /// <summary>The class value of nodata pixels in the output.</summary>
    public const byte NoDataClass = 255;

    // Numbers passed to libtorch per block, referenced for the whole process (see HeldScalars).
    static readonly Scalar NoDataFill = NoDataClass.ToScalar();
    static readonly Scalar NotANumber = float.NaN.ToScalar();
    static readonly Scalar Zero = 0f.ToScalar();

    readonly WindowModel _model;
    readonly SceneClassifierOptions _options;

    /// <summary>A classifier for <paramref name="model"/> with <paramref name="options"/>.</summary>
    public SceneClassifier(WindowModel model, SceneClassifierOptions options)
    {
        if (options.Mean.Length != options.Std.Length)
            throw new ArgumentException($"Normalisation has {options.Mean.Length} means but {options.Std.Length} standard deviations.");
        if (options.Std.Any(s => !(s > 0))) throw new ArgumentException("Every normalisation standard deviation must be positive.");
        if (options.BlockSize < 1 || options.BatchSize < 1) throw new ArgumentException("Block size and batch size must be positive.");
        if (options.Mode == ClassificationMode.Dense)
        {
            if (!model.SupportsDense)
                throw new ArgumentException("Dense classification needs a model split into features and head (WindowModel.FromParts); this one supports naive mode only.");
            int f = model.Downsampling, s = options.Stride;
            if (s < 1 || (f % s != 0 && s % f != 0))
                throw new ArgumentException($"Stride {s} must be a divisor or a multiple of the model's downsampling ({f}).");
            if (options.BlockSize % s != 0) throw new ArgumentException($"Stride {s} must divide the block size {options.BlockSize}.");
        }
        else
        {
            if (options.Stride < 1) throw new ArgumentException($"Stride {options.Stride} must be at least 1.");
            if (options.BlockSize % options.Stride != 0) throw new ArgumentException($"Stride {options.Stride} must divide the block size {options.BlockSize}.");
        }
        _model = model;
        _options = options;
    }

    /// <summary>The settings.</summary>
    public SceneClassifierOptions Options => _options;

    /// <summary>
    /// Classifies <paramref name="raster"/> lazily, one block at a time, rows of blocks from the top; consume the
    /// blocks as they come (write them out) to keep memory bounded.
    /// </summary>
    /// <param name="raster">The scene.</param>
    /// <param name="bands">1-based bands to feed the model, in the model's band order; all bands when null.</param>
    /// <exception cref="ArgumentException">The band count does not match the normalisation's.</exception>
    public IEnumerable<ClassifiedBlock> Classify(GdalRaster raster, int[]? bands = null)
    {
        bands ??= Enumerable.Range(1, raster.BandCount).ToArray();
        if (bands.Length != _options.Mean.Length)
            throw new ArgumentException($"{raster.Path}: {bands.Length} bands are read but the normalisation has {_options.Mean.Length}; the model needs {_options.Mean.Length}.");
        var noData = bands.Select(b => _options.NoData ?? raster.NoData(b)).ToArray();
        return Blocks(raster, bands, noData);
    }

    IEnumerable<ClassifiedBlock> Blocks(GdalRaster raster, int[] bands, double?[] noData)
    {
        _model.Eval();
        int size = _options.BlockSize;
        for (int y = 0; y < raster.Height; y += size)
            for (int x = 0; x < raster.Width; x += size)
                yield return ClassifyBlock(raster, bands, noData, x, y, Math.Min(size, raster.Width - x), Math.Min(size, raster.Height - y));
    }

    ClassifiedBlock ClassifyBlock(GdalRaster raster, int[] bands, double?[] noData, int bx, int by, int bw, int bh)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int window = _model.WindowSize, half = window / 2;
        bool dense = _options.Mode == ClassificationMode.Dense;
        int f = dense ? _model.Downsampling : 1;
        int margin = dense ? (_options.ContextMargin + f - 1) / f * f : 0;
        // Input rows/columns the block needs, as scene coordinates: windows plus (dense) context margin and one
        // extra downsampling step so that every shifted crop has the same size.
        var rows = SceneIndices(by - half - margin, bh + window - 1 + 2 * margin + (dense ? f : 0), raster.Height, half, window);
        var cols = SceneIndices(bx - half - margin, bw + window - 1 + 2 * margin + (dense ? f : 0), raster.Width, half, window);

        var (input, centreNoData) = ReadNormalised(raster, bands, noData, rows, cols, bx, by, bw, bh);
        int pixels = bw * bh;
        if (centreNoData.all().item<bool>()) return NoDataBlock(bx, by, bw, bh);

        var probabilities = dense ? DenseProbabilities(input, bw, bh, margin) : NaiveProbabilities(input, bw, bh); // [K, bh, bw]
        var (confidence, classes) = probabilities.max(0);
        var classBytes = classes.to_type(ScalarType.Byte).masked_fill(centreNoData, NoDataFill);
        confidence = confidence.masked_fill(centreNoData, NotANumber);
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
            using var zeros = torch.zeros(1, _options.Mean.Length, _model.WindowSize, _model.WindowSize);
            using var logits = _model.Logits(zeros);
            all = Enumerable.Repeat(float.NaN, (int)logits.shape[1] * bw * bh).ToArray();
        }
        return new ClassifiedBlock(bx, by, bw, bh, Enumerable.Repeat(NoDataClass, bw * bh).ToArray(),
            Enumerable.Repeat(float.NaN, bw * bh).ToArray(), all);
    }

    /// <summary>
    /// Scene index for each of <paramref name="count"/> coordinates from <paramref name="start"/>: inside the scene
    /// itself, within <paramref name="half"/> of it the symmetric reflection (numpy's "symmetric" padding, repeated
    /// for scenes smaller than the padding), beyond that −1 (zeros after normalisation).
    /// </summary>
    static long[] SceneIndices(int start, int count, int size, int half, int window)
    {
        var indices = new long[count];
        for (int i = 0; i < count; i++)
        {
            int c = start + i;
            if (c < -half || c >= size + window - half) { indices[i] = -1; continue; }
            int m = ((c % (2 * size)) + 2 * size) % (2 * size);
            indices[i] = m < size ? m : 2 * size - 1 - m;
        }
        return indices;
    }

    /// <summary>Reads the rows × columns the block needs, normalised, as [C, rows, columns], and the nodata mask of the block itself.</summary>
    (Tensor Input, Tensor CentreNoData) ReadNormalised(GdalRaster raster, int[] bands, double?[] noData,
        long[] rows, long[] cols, int bx, int by, int bw, int bh)
    {
        int r0 = (int)rows.Where(i => i >= 0).Min(), r1 = (int)rows.Max();
        int c0 = (int)cols.Where(i => i >= 0).Min(), c1 = (int)cols.Max();
        int h = r1 - r0 + 1, w = c1 - c0 + 1, channels = bands.Length;
        var raw = tensor(raster.Read(c0, r0, w, h, bands), [channels, h, w]);
        var invalid = raw.isnan().any(0);
        for (int b = 0; b < channels; b++)
            if (noData[b] is { } value && !double.IsNaN(value))
            {
                using var held = new HeldScalars();
                invalid = invalid.logical_or(raw[b].eq(held.Of(value)));
            }
        var mean = tensor(_options.Mean).view(channels, 1, 1);
        var std = tensor(_options.Std).view(channels, 1, 1);
        var normalised = ((raw - mean) / std).masked_fill(invalid.unsqueeze(0), Zero);
        // One zero row and column at the end stand for every coordinate beyond the symmetric padding.
        normalised = F.pad(normalised, [0, 1, 0, 1]);
        var rowIndex = tensor(rows.Select(i => i < 0 ? h : i - r0).ToArray());
        var colIndex = tensor(cols.Select(i => i < 0 ? w : i - c0).ToArray());
        var input = normalised.index_select(1, rowIndex).index_select(2, colIndex);
        var centre = invalid[TensorIndex.Slice(by - r0, by - r0 + bh), TensorIndex.Slice(bx - c0, bx - c0 + bw)];
        return (input, centre);
    }

    /// <summary>
    /// The original's method: windows cut out and classified on their own, in batches, centred on every pixel (stride
    /// 1) or on the centre of every stride × stride cell. Returns [K, bh, bw].
    /// </summary>
    Tensor NaiveProbabilities(Tensor input, int bw, int bh)
    {
        int window = _model.WindowSize, batch = _options.BatchSize, stride = _options.Stride;
        var windows = input.unfold(1, window, 1).unfold(2, window, 1); // [C, bh, bw, S, S], a view
        var (rowPositions, _) = Positions(bh, stride, 1);
        var (colPositions, _) = Positions(bw, stride, 1);
        using var columns = tensor(colPositions.Select(p => (long)p).ToArray());
        var rowsOut = new List<Tensor>(rowPositions.Length);
        foreach (var r in rowPositions)
        {
            var row = windows.select(1, r).index_select(1, columns).permute(1, 0, 2, 3); // [positions, C, S, S]
            var parts = new List<Tensor>();
            for (int c = 0; c < colPositions.Length; c += batch)
                parts.Add(F.softmax(_model.Logits(row.narrow(0, c, Math.Min(batch, colPositions.Length - c)).contiguous()), 1));
            rowsOut.Add(cat(parts, 0)); // [positions, K]
        }
        return ToPixels(stack(rowsOut, 0).permute(2, 0, 1), stride, bw, bh);
    }

    /// <summary>Cell probabilities [K, cells y, cells x] → pixels [K, bh, bw]: each stride × stride cell takes its centre window's.</summary>
    static Tensor ToPixels(Tensor cells, int stride, int bw, int bh) =>
        stride == 1 ? cells : cells.repeat_interleave(stride, 1).repeat_interleave(stride, 2).narrow(1, 0, bh).narrow(2, 0, bw);

    /// <summary>Fully convolutional classification of a block (see the class remarks). Returns [K, bh, bw].</summary>
    Tensor DenseProbabilities(Tensor input, int bw, int bh, int margin)
    {
        int f = _model.Downsampling, kernel = _model.FeatureWindow((int)input.shape[0]), stride = _options.Stride;
        var (rowPositions, rowResidues) = Positions(bh, stride, f);
        var (colPositions, colResidues) = Positions(bw, stride, f);
        int cropH = ((int)input.shape[1] - (f - 1)) / f * f, cropW = ((int)input.shape[2] - (f - 1)) / f * f;
        var shifts = rowResidues.Distinct().SelectMany(ry => colResidues.Distinct().Select(rx => (ry, rx))).ToList();
        int shiftsPerBatch = Math.Max(1, _options.BatchSize / 64);
        Tensor? coarse = null; // [K, positions along y, positions along x]
        for (int first = 0; first < shifts.Count; first += shiftsPerBatch)
        {
            var batch = shifts.Skip(first).Take(shiftsPerBatch).ToList();
            var crops = stack(batch.Select(s => input.narrow(1, s.ry, cropH).narrow(2, s.rx, cropW)).ToList(), 0);
            var features = _model.Features!.call(crops);
            // Window-sized average pooling, separably (two 1-D passes cost 2·k instead of k² additions).
            var pooled = F.avg_pool2d(F.avg_pool2d(features, [kernel, 1], [1, 1]), [1, kernel], [1, 1]); // [n, C', Hf, Wf]
            for (int i = 0; i < batch.Count; i++)
            {
                var (ry, rx) = batch[i];
                var yk = Enumerable.Range(0, rowPositions.Length).Where(k => rowResidues[k] == ry).ToArray();
                var xk = Enumerable.Range(0, colPositions.Length).Where(k => colResidues[k] == rx).ToArray();
                var fy = tensor(yk.Select(k => (long)((rowPositions[k] - ry) / f + margin / f)).ToArray());
                var fx = tensor(xk.Select(k => (long)((colPositions[k] - rx) / f + margin / f)).ToArray());
                var selected = pooled[i].index_select(1, fy).index_select(2, fx); // [C', ny, nx]
                var logits = _model.Head!.call(selected.permute(1, 2, 0).reshape(-1, selected.shape[0]));
                var probabilities = F.softmax(logits, 1).reshape(yk.Length, xk.Length, -1).permute(2, 0, 1); // [K, ny, nx]
                coarse ??= zeros(probabilities.shape[0], rowPositions.Length, colPositions.Length);
                coarse.index_put_(probabilities, TensorIndex.Colon, TensorIndex.Tensor(tensor(yk.Select(k => (long)k).ToArray()).unsqueeze(1)),
                    TensorIndex.Tensor(tensor(xk.Select(k => (long)k).ToArray()).unsqueeze(0)));
            }
        }
        return ToPixels(coarse!, stride, bw, bh);
    }

    /// <summary>Block-local pixels classified along one axis (cell centres at the stride) and their residues modulo the downsampling.</summary>
    static (int[] Positions, int[] Residues) Positions(int length, int stride, int downsampling)
    {
        var positions = Enumerable.Range(0, (length + stride - 1) / stride).Select(k => Math.Min(k * stride + stride / 2, length - 1)).ToArray();
        return (positions, positions.Select(p => p % downsampling).ToArray());
    }
}
