using System.Globalization;
using CnnSentinel.Models;
using CnnSentinel.Randomness;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnSentinel.Training;

/// <summary>
/// Trains a padded network for dense classification: a share of the training steps lays the batch's images side by side
/// in square blocks of <see cref="Side"/> × <see cref="Side"/>, shifted by a few pixels, runs the convolutional part once
/// over each block and the head on every window of its feature map, each labelled with the image under its centre —
/// what dense classification computes over a scene's block, where a window's features see real neighbours instead of a
/// lone window's zero padding, and straddle land covers. The other steps train on lone windows as usual, so the head
/// learns both views (<c>cnnsentinel train --blocks</c>).
/// </summary>
/// <param name="Share">Share of the training steps (0 to 1) taken as blocks, spread evenly over each epoch.</param>
/// <param name="Side">Images per side of a block (a block holds <c>Side²</c> images of the batch).</param>
public sealed record BlockBatches(double Share, int Side = 4)
{
    /// <summary>Share of the training steps taken as blocks, 0 to 1.</summary>
    public double Share { get; init; } = Share is >= 0 and <= 1
        ? Share
        : throw new UserErrorException($"--blocks {Share}: the share of steps must be between 0 and 1.");

    /// <summary>Images per side of a block, at least 2.</summary>
    public int Side { get; init; } = Side >= 2 ? Side : throw new UserErrorException($"A block needs at least 2 images per side, not {Side}.");

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Share:0.##} of the steps as {Side} × {Side} blocks (dense classification's view)");

    /// <summary>
    /// Whether step <paramref name="step"/> (counted from the run's first) is a block step: the steps where
    /// <c>floor(step · Share)</c> grows, so that the share holds in every stretch of steps and a resumed run continues
    /// the same sequence without a random generator.
    /// </summary>
    internal bool Applies(long step) => Math.Floor((step + 1) * Share) > Math.Floor(step * Share);

    /// <summary>
    /// A block step on a batch [N, C, H, W] with labels [N]: the logits of every window of the blocks and the class of
    /// the image under each window's centre; null where the batch does not fill whole blocks (the last batch of an
    /// epoch, for instance), and the caller then runs the network on the lone windows. The blocks are shifted by a
    /// few pixels drawn from <paramref name="step"/>, so that windows straddle images as a scene's windows straddle
    /// land covers, never with a centre on a border between images.
    /// </summary>
    internal (Tensor Logits, Tensor Labels)? Step(ImageClassifier network, Tensor inputs, Tensor labels, long step)
    {
        if (network.FeatureStride is not { } stride) return null;
        var random = new SplitMix64(SplitMix64.Derive(ShiftSeed, step));
        // Window centres fall on multiples of the stride; a shift that is not one keeps each off the borders.
        return stride < 2 ? null : Windows(network, inputs, labels, 1 + random.NextInt(stride - 1), 1 + random.NextInt(stride - 1));
    }

    /// <summary>
    /// <see cref="Step"/> at a given shift: the blocks cropped <paramref name="rowShift"/> and <paramref name="columnShift"/>
    /// pixels from their top left corner, the convolutional part run once per block, and the head on every window of
    /// the feature map (average-pooled cells one stride apart, as dense classification takes them).
    /// </summary>
    internal (Tensor Logits, Tensor Labels)? Windows(ImageClassifier network, Tensor inputs, Tensor labels, int rowShift, int columnShift)
    {
        long n = inputs.shape[0], perBlock = (long)Side * Side;
        if (n % perBlock != 0 || network.FeatureStride is not { } stride) return null;
        int c = (int)inputs.shape[1], h = (int)inputs.shape[2], w = (int)inputs.shape[3];
        if (h % stride != 0 || w % stride != 0) return null;
        long blocks = n / perBlock;
        // [blocks, row, column, C, H, W] → [blocks, C, row·H, column·W]: image (row, column) of each block at its place.
        var laidOut = inputs.reshape(blocks, Side, Side, c, h, w).permute(0, 3, 1, 4, 2, 5).reshape(blocks, c, Side * h, Side * w);
        int cropH = Side * h - stride, cropW = Side * w - stride;
        var features = network.FeatureMap(laidOut.narrow(2, rowShift, cropH).narrow(3, columnShift, cropW));
        int cellsH = h / stride, cellsW = w / stride;
        // Every window: its own cells averaged, as global average pooling does for a lone window. [blocks, C', rows, columns]
        var pooled = F.avg_pool2d(features, [cellsH, cellsW], [1, 1]);
        long rows = pooled.shape[2], columns = pooled.shape[3];
        // Window (i, j) starts at pixel (i·stride + shift) of its block; the image under its centre gives its class.
        var imageRow = tensor(Enumerable.Range(0, (int)rows).Select(i => (long)((i * stride + rowShift + h / 2) / h)).ToArray(), device: labels.device);
        var imageColumn = tensor(Enumerable.Range(0, (int)columns).Select(j => (long)((j * stride + columnShift + w / 2) / w)).ToArray(), device: labels.device);
        var windowLabels = labels.reshape(blocks, Side, Side).index_select(1, imageRow).index_select(2, imageColumn).reshape(-1);
        var logits = network.HeadOfPooled(pooled.permute(0, 2, 3, 1).reshape(-1, pooled.shape[1]));
        return (logits, windowLabels);
    }

    /// <summary>Seed of the shifts, one stream per step (fixed: the step's index makes them differ, and resumed runs repeat them).</summary>
    const ulong ShiftSeed = 0x626C6F636B73; // "blocks"
}
