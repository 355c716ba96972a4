using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnSentinel.Scenes;

/// <summary>
/// Fully convolutional classification of a block's cells (see <see cref="SceneClassifier"/>'s remarks): the model's
/// convolutional part once per block at the cells' step by dilating its later layers where the network allows it and
/// memory suffices, otherwise once per distinct window offset modulo the step it reaches (shift-and-stitch), window-sized
/// average pooling, the head at every cell. For a padded network, a few cells per block are also classified as lone
/// windows, to measure the agreement.
/// </summary>
internal sealed class DenseCellClassifier(WindowModel model, SceneClassifierOptions options) : CellClassifier
{
    /// <summary>The context margin rounded up to a multiple of the downsampling, so that every crop starts on the feature grid.</summary>
    public override int Margin => (options.ContextMargin + model.Downsampling - 1) / model.Downsampling * model.Downsampling;

    /// <summary>One downsampling step, so that every shifted crop has the same size.</summary>
    public override int Extra => model.Downsampling;

    /// <inheritdoc />
    public override Tensor Classify(SceneBlockInput block, BlockCells cells)
    {
        var probabilities = DenseCells(block.Input, cells.RowStarts, cells.ColumnStarts);
        if (!model.DenseIsExact && options.AgreementSamplesPerBlock > 0) SampleAgreement(block, probabilities, cells);
        return probabilities;
    }

    /// <summary>Bytes one feature map of a block may take: a ResNet18 map (512 channels) every 2 px of a 512-px block with its margins fits, every pixel does not.</summary>
    const long FeatureMapBudget = 256L << 20;

    Tensor DenseCells(Tensor input, long[] rowStarts, long[] colStarts)
    {
        int bands = (int)input.shape[0], kernel = model.FeatureWindow(bands);
        var (step, features) = FeatureGrid(CellStep(rowStarts, colStarts), bands, input.shape[1] * input.shape[2]);
        int apart = model.Downsampling / step;
        // One crop per distinct window offset modulo the step (shift-and-stitch; a single one where the step resolves
        // every window), all of one size, so that several go through the network as one batch.
        int cropH = ((int)input.shape[1] - (step - 1)) / step * step, cropW = ((int)input.shape[2] - (step - 1)) / step * step;
        var shifts = rowStarts.Select(r => r % step).Distinct().SelectMany(ry => colStarts.Select(c => c % step).Distinct().Select(rx => (ry, rx))).ToList();
        int shiftsPerBatch = step == model.Downsampling ? Math.Max(1, options.BatchSize / 64) : 1;
        Tensor? cells = null;
        for (int first = 0; first < shifts.Count; first += shiftsPerBatch)
        {
            using var scope = NewDisposeScope();
            var batch = shifts.Skip(first).Take(shiftsPerBatch).ToList();
            var crops = stack(batch.Select(s => input.narrow(1, s.ry, cropH).narrow(2, s.rx, cropW)).ToList(), 0);
            var pooled = WindowMeans(features(crops), kernel, apart); // [n, C', Hf, Wf]: at (y, x) the window whose first cell is there
            for (int i = 0; i < batch.Count; i++)
            {
                var (ry, rx) = batch[i];
                var yk = Enumerable.Range(0, rowStarts.Length).Where(k => rowStarts[k] % step == ry).ToArray();
                var xk = Enumerable.Range(0, colStarts.Length).Where(k => colStarts[k] % step == rx).ToArray();
                var fy = tensor(yk.Select(k => (rowStarts[k] - ry) / step).ToArray());
                var fx = tensor(xk.Select(k => (colStarts[k] - rx) / step).ToArray());
                var selected = pooled[i].index_select(1, fy).index_select(2, fx); // [C', ny, nx]
                var logits = model.HeadOfPooled(selected.permute(1, 2, 0).reshape(-1, selected.shape[0]));
                var probabilities = F.softmax(logits, 1).reshape(yk.Length, xk.Length, -1).permute(2, 0, 1); // [K, ny, nx]
                cells ??= zeros(probabilities.shape[0], rowStarts.Length, colStarts.Length).MoveToOuterDisposeScope();
                cells.index_put_(probabilities, TensorIndex.Colon, TensorIndex.Tensor(tensor(yk.Select(k => (long)k).ToArray()).unsqueeze(1)),
                    TensorIndex.Tensor(tensor(xk.Select(k => (long)k).ToArray()).unsqueeze(0)));
            }
        }
        return cells!;
    }

    /// <summary>The finest step between the windows' starts (a divisor of the downsampling: 8 at stride 8, 32 at stride 64).</summary>
    int CellStep(long[] rowStarts, long[] colStarts)
    {
        long step = model.Downsampling;
        foreach (var starts in new[] { rowStarts, colStarts })
            foreach (var start in starts) step = (long)System.Numerics.BigInteger.GreatestCommonDivisor(step, start - starts[0]);
        return (int)step;
    }

    /// <summary>
    /// The step of the feature map to compute and how: the cells' own step where the network's later layers can be
    /// dilated to it (<see cref="Models.ImageClassifier.FeatureMapAt"/>) and the map fits <see cref="FeatureMapBudget"/>,
    /// else the next coarser such step, else the network's own map (both then shift and stitch).
    /// </summary>
    (int Step, Func<Tensor, Tensor> Features) FeatureGrid(int cellStep, int bands, long inputPixels)
    {
        for (int step = cellStep; step < model.Downsampling; step *= 2)
            if (model.Downsampling % step == 0 && model.FeatureChannels(bands) * inputPixels / ((long)step * step) * sizeof(float) <= FeatureMapBudget
                && model.FeatureMapAt(step) is { } features)
                return (step, features);
        return (model.Downsampling, model.FeatureMap);
    }

    /// <summary>
    /// The mean of every window's <c>k × k</c> feature cells, which lie <paramref name="apart"/> cells apart on the map
    /// (1 on the network's own map): what global average pooling gives a lone window.
    /// </summary>
    static Tensor WindowMeans(Tensor features, int kernel, int apart)
    {
        // Separably (two 1-D passes cost 2·k instead of k² additions).
        if (apart == 1) return F.avg_pool2d(F.avg_pool2d(features, [kernel, 1], [1, 1]), [1, kernel], [1, 1]);
        long spanH = features.shape[2] - (kernel - 1) * apart, spanW = features.shape[3] - (kernel - 1) * apart;
        var rows = Enumerable.Range(1, kernel - 1).Aggregate(features.narrow(2, 0, spanH).clone(), (sum, i) => sum.add_(features.narrow(2, i * apart, spanH)));
        var both = Enumerable.Range(1, kernel - 1).Aggregate(rows.narrow(3, 0, spanW).clone(), (sum, j) => sum.add_(rows.narrow(3, j * apart, spanW)));
        return both.div_(kernel * kernel);
    }

    /// <summary>Compares the dense classes of a few of the block's cells with their windows classified naively (<see cref="CellClassifier.SampleNaive"/>).</summary>
    void SampleAgreement(SceneBlockInput block, Tensor probabilities, BlockCells cells)
    {
        int columns = cells.Columns.Centres.Length;
        var denseClasses = probabilities.argmax(0).contiguous().data<long>().ToArray();
        var all = Enumerable.Range(0, cells.Rows.Centres.Length).SelectMany(y => Enumerable.Range(0, columns).Select(x => (y, x)));
        SampleNaive(model, block, cells, all, options.AgreementSamplesPerBlock, (y, x) => denseClasses[y * columns + x]);
    }
}
