using CnnSentinel.Randomness;
using static TorchSharp.torch;

namespace CnnSentinel.Transforms;

/// <summary>
/// Random geometric augmentation, seeded. <see cref="Original"/> is CNN-Sentinel's generator: a vertical and
/// a horizontal flip with probability 0.5 each, then a rotation by an angle uniform in [−45°, +45°) with reflect
/// padding and bilinear interpolation. Quarter turns (exact, no interpolation) are an option the original lacks.
/// </summary>
/// <param name="HorizontalFlipProbability">Chance of mirroring left ↔ right.</param>
/// <param name="VerticalFlipProbability">Chance of mirroring top ↔ bottom.</param>
/// <param name="QuarterTurns">Turn by 0, 90, 180 or 270° counter-clockwise, each equally likely.</param>
/// <param name="MaxRotationDegrees">Rotate by an angle uniform in [−max, +max); 0 for no rotation.</param>
public sealed record AugmentationPolicy(
    double HorizontalFlipProbability = 0.5,
    double VerticalFlipProbability = 0.5,
    bool QuarterTurns = false,
    double MaxRotationDegrees = 45)
{
    /// <summary>The original's augmentation (flips p = 0.5, rotation ±45°).</summary>
    public static AugmentationPolicy Original { get; } = new();

    /// <summary>Flips and quarter turns only: exact pixel moves, no interpolation.</summary>
    public static AugmentationPolicy Dihedral { get; } = new(QuarterTurns: true, MaxRotationDegrees: 0);

    /// <summary>
    /// Draws one image's augmentation from <paramref name="random"/>. Always draws four numbers, whatever
    /// is switched off, so that the stream stays aligned when a setting changes.
    /// </summary>
    internal AugmentationChoice Draw(SplitMix64 random)
    {
        bool flipH = random.NextDouble() < HorizontalFlipProbability;
        bool flipV = random.NextDouble() < VerticalFlipProbability;
        int turns = random.NextInt(4);
        double angle = random.NextDouble(-MaxRotationDegrees, MaxRotationDegrees);
        return new AugmentationChoice(flipH, flipV, QuarterTurns ? turns : 0, MaxRotationDegrees > 0 ? angle : 0);
    }

    /// <summary>Draws one augmentation per image of a batch of <paramref name="count"/>, each image from its own stream of <paramref name="seed"/>.</summary>
    public AugmentationChoice[] Draw(ulong seed, int count) =>
        Enumerable.Range(0, count).Select(i => Draw(new SplitMix64(SplitMix64.Derive(seed, i)))).ToArray();

    /// <summary>
    /// Applies <paramref name="choices"/> to <paramref name="images"/>: one choice per image of <c>[N, C, H, W]</c>, or a
    /// single choice for <c>[C, H, W]</c>. Returns a new float32 CPU tensor.
    /// </summary>
    public static Tensor Apply(Tensor images, IReadOnlyList<AugmentationChoice> choices) => ImageAugmentations.Warp(images, choices);

    /// <summary>Augments images <c>[N, C, H, W]</c> or one image <c>[C, H, W]</c> with draws from <paramref name="seed"/>: the same seed gives the same result.</summary>
    public Tensor Apply(Tensor images, ulong seed) => Apply(images, Draw(seed, images.dim() == 3 ? 1 : (int)images.shape[0]));
}
