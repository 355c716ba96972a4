using System.Globalization;
using CnnSentinel.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnSentinel.Training;

/// <summary>
/// Trains a padded network for dense classification: a share of the training steps lays the batch's images side by side
/// in square blocks of <see cref="Side"/> × <see cref="Side"/>, runs the convolutional part once over each block and the
/// head on each image's own average-pooled cells — what dense classification computes over a scene's block, where a
/// window's features see real neighbours instead of a lone window's zero padding. The other steps train on lone
/// windows as usual, so the head learns both views (<c>cnnsentinel train --blocks</c>).
/// </summary>
/// <param name="Share">Share of the training steps (0 to 1) taken as blocks, spread evenly over the run.</param>
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
    /// Logits [N, K] of a batch [N, C, H, W] computed as blocks: null where it cannot be (the batch does not fill whole
    /// blocks, the last batch of an epoch for instance), and the caller then runs the network on the lone windows.
    /// </summary>
    internal Tensor? Logits(ImageClassifier network, Tensor inputs)
    {
        long n = inputs.shape[0], perBlock = (long)Side * Side;
        if (n % perBlock != 0 || network.FeatureStride is not { } stride) return null;
        long c = inputs.shape[1], h = inputs.shape[2], w = inputs.shape[3];
        if (h % stride != 0 || w % stride != 0) return null;
        long blocks = n / perBlock;
        // [blocks, row, column, C, H, W] → [blocks, C, row·H, column·W]: image (row, column) of each block at its place.
        var laidOut = inputs.reshape(blocks, Side, Side, c, h, w).permute(0, 3, 1, 4, 2, 5).reshape(blocks, c, Side * h, Side * w);
        var features = network.FeatureMap(laidOut);
        long cellsH = h / stride, cellsW = w / stride;
        // Each image's own cells averaged, as global average pooling does for a lone window: [blocks, C', Side, Side].
        var pooled = F.avg_pool2d(features, [cellsH, cellsW], [cellsH, cellsW]);
        // Back to the batch's order, image (block, row, column) at index block·Side² + row·Side + column.
        return network.HeadOfPooled(pooled.permute(0, 2, 3, 1).reshape(n, pooled.shape[1]));
    }
}
