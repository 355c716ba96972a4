using static TorchSharp.torch;

namespace CnnSentinel.Transforms;

/// <summary>
/// Geometric augmentations of image tensors <c>[C, H, W]</c> or <c>[N, C, H, W]</c>, for any number of
/// bands. Orientation as displayed (row 0 at the top): positive angles and quarter turns are counter-clockwise,
/// as in torchvision, scipy and skimage.
/// </summary>
public static class ImageAugmentations
{
    /// <summary>Mirrors left ↔ right (reverses the columns).</summary>
    public static Tensor FlipHorizontal(Tensor images) => images.flip(-1);

    /// <summary>Mirrors top ↔ bottom (reverses the rows).</summary>
    public static Tensor FlipVertical(Tensor images) => images.flip(-2);

    /// <summary>Turns by <paramref name="quarterTurns"/> × 90° counter-clockwise (exact: pixels are only moved). Needs square images for odd turns to keep the shape.</summary>
    public static Tensor Rotate90(Tensor images, int quarterTurns) => images.rot90(quarterTurns, (-2, -1));

    /// <summary>
    /// Rotates by <paramref name="degrees"/> counter-clockwise about the image centre, keeping the size, with
    /// bilinear interpolation and reflect padding — the original's <c>skimage.transform.rotate(image, angle,
    /// mode='reflect', order=1)</c>.
    /// </summary>
    /// <remarks>
    /// "Reflect" here is skimage's (numpy's) whole-sample mirror, <c>d c b | a b c d | c b a</c> (scipy calls it
    /// 'mirror'): the edge pixel is not repeated. Computed on the CPU by <see cref="PatchWarp"/>; the result is
    /// a new float32 CPU tensor.
    /// </remarks>
    public static Tensor Rotate(Tensor images, double degrees)
    {
        long n = images.dim() == 4 ? images.shape[0] : 1;
        return Rotate(images, Enumerable.Repeat(degrees, (int)n).ToArray());
    }

    /// <summary>Rotates each image of a batch by its own angle (see <see cref="Rotate(Tensor, double)"/>).</summary>
    public static Tensor Rotate(Tensor images, IReadOnlyList<double> degreesPerImage) =>
        Warp(images, degreesPerImage.Select(d => AugmentationChoice.Identity with { RotationDegrees = d }).ToArray());

    /// <summary>Applies one choice per image to <c>[C, H, W]</c> (one choice) or <c>[N, C, H, W]</c> with <see cref="PatchWarp"/>.</summary>
    internal static Tensor Warp(Tensor images, IReadOnlyList<AugmentationChoice> choices)
    {
        if (images.dim() is not (3 or 4))
            throw new ArgumentException($"expected images [C, H, W] or [N, C, H, W], got [{string.Join(", ", images.shape)}]", nameof(images));
        bool single = images.dim() == 3;
        long n = single ? 1 : images.shape[0];
        int bands = (int)images.shape[^3], height = (int)images.shape[^2], width = (int)images.shape[^1];
        if (choices.Count != n) throw new ArgumentException($"{choices.Count} augmentations for {n} images", nameof(choices));
        float[] input;
        using (NewDisposeScope()) input = images.detach().to(CPU).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var output = new float[input.Length];
        int size = bands * height * width;
        bool turned = choices.Any(c => c.QuarterTurns % 2 != 0);
        if (turned && choices.Any(c => c.QuarterTurns % 2 == 0) && height != width)
            throw new ArgumentException("a batch of non-square images cannot mix odd and even quarter turns");
        for (int i = 0; i < n; i++)
            PatchWarp.Apply(input.AsSpan(i * size, size), output.AsSpan(i * size, size), bands, height, width, choices[i]);
        long[] shape = turned ? [.. images.shape[..^2], width, height] : images.shape;
        return tensor(output, shape);
    }
}
