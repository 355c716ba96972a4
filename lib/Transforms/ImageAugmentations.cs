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
    /// 'mirror'): the edge pixel is not repeated. It is torch's <c>grid_sample</c> with
    /// <c>padding_mode: reflection</c> and <c>align_corners: true</c>, which reflects about the outer pixel
    /// centres. The result is float32.
    /// </remarks>
    public static Tensor Rotate(Tensor images, double degrees)
    {
        long n = images.dim() == 4 ? images.shape[0] : 1;
        return Rotate(images, Enumerable.Repeat(degrees, (int)n).ToArray());
    }

    /// <summary>Rotates each image of a batch by its own angle (see <see cref="Rotate(Tensor, double)"/>).</summary>
    public static Tensor Rotate(Tensor images, IReadOnlyList<double> degreesPerImage)
    {
        if (images.dim() is not (3 or 4))
            throw new ArgumentException($"expected images [C, H, W] or [N, C, H, W], got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = NewDisposeScope();
        bool single = images.dim() == 3;
        var batch = (single ? images.unsqueeze(0) : images).to_type(ScalarType.Float32);
        long n = batch.shape[0], h = batch.shape[2], w = batch.shape[3];
        if (degreesPerImage.Count != n) throw new ArgumentException($"{degreesPerImage.Count} angles for {n} images", nameof(degreesPerImage));

        // theta maps output to input coordinates normalised to [-1, 1] over the outer pixel centres
        // (align_corners). Sampling input at R(-angle)·(p - centre) turns the picture by +angle; with y
        // pointing down that inverse is [[cos, -sin], [sin, cos]], rescaled for non-square images.
        double ry = h > 1 ? (double)(h - 1) : 1, rx = w > 1 ? (double)(w - 1) : 1;
        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            double a = degreesPerImage[i] * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
            theta[6 * i + 0] = (float)c;
            theta[6 * i + 1] = (float)(-s * ry / rx);
            theta[6 * i + 3] = (float)(s * rx / ry);
            theta[6 * i + 4] = (float)c;
        }
        var grid = nn.functional.affine_grid(tensor(theta, [n, 2, 3], device: batch.device), [n, batch.shape[1], h, w], align_corners: true);
        var rotated = nn.functional.grid_sample(batch, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: true);
        return (single ? rotated.squeeze(0) : rotated).MoveToOuterDisposeScope();
    }
}
