namespace CnnSentinel.Scenes;

/// <summary>Settings of <see cref="SceneClassifier"/>.</summary>
/// <param name="Mean">Per-band mean subtracted from the input (same order as the bands read).</param>
/// <param name="Std">Per-band standard deviation the input is divided by.</param>
/// <param name="Mode">Naive (the reference) or dense (fast).</param>
/// <param name="Stride">Distance between classified window centres, in pixels; the probabilities of a stride × stride cell
/// are those of its centre window. 1 classifies every pixel. Must divide <see cref="BlockSize"/>, and in dense mode be a
/// divisor or a multiple of the model's downsampling.</param>
/// <param name="BlockSize">Side of the output blocks the scene is processed in; memory grows with its square, not with the scene.</param>
/// <param name="ContextMargin">Dense mode: extra input read around each block, at least the receptive-field radius of the model's
/// convolutional part (beyond its window), so that block seams do not show. Rounded up to a multiple of the downsampling.</param>
/// <param name="BatchSize">Windows per forward pass in naive mode; in dense mode a 64th of it (at least 1) is the number of shifted
/// copies of a block per forward pass (4 by default: about 0.6 GB of activations for the scene CNN on 512 × 512 blocks).</param>
/// <param name="NoData">Input value that means "no data" in every band, overriding the file's own nodata; the file's when null.</param>
/// <param name="KeepAllProbabilities">Also return every class's probability, not only the largest.</param>
public sealed record SceneClassifierOptions(
    float[] Mean,
    float[] Std,
    ClassificationMode Mode = ClassificationMode.Dense,
    int Stride = 1,
    int BlockSize = 512,
    int ContextMargin = 16,
    int BatchSize = 256,
    double? NoData = null,
    bool KeepAllProbabilities = false);
