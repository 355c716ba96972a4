namespace CnnSentinel.Transforms;

/// <summary>
/// Applies one <see cref="AugmentationChoice"/> to a band-first image held in memory, in a single pass:
/// flips and quarter turns become an index map, the rotation samples that map bilinearly with mirror
/// padding. The loader calls it on its worker threads; the tensor methods of <see cref="ImageAugmentations"/>
/// and <see cref="AugmentationPolicy"/> call it too, so there is one implementation.
/// </summary>
/// <remarks>
/// <para>Rotation: output pixel (x, y) takes the input at centre + R(−angle)·((x, y) − centre), centre =
/// ((W−1)/2, (H−1)/2), which turns the picture counter-clockwise as displayed. Coordinates outside the image
/// are mirrored about the outer pixel centres (<c>d c b | a b c d | c b a</c>: the original's
/// <c>skimage.transform.rotate(mode='reflect', order=1)</c>, scipy's mode 'mirror'), then the four neighbours
/// are blended bilinearly.</para>
/// <para>Flips and quarter turns move pixels from lattice point to lattice point, so composing them with the
/// interpolation gives the same result as applying them first, and with no rotation the output is an exact
/// copy of moved pixels.</para>
/// </remarks>
internal static class PatchWarp
{
    /// <summary>
    /// Writes the augmented image into <paramref name="destination"/>. Both hold <paramref name="bands"/> planes;
    /// the source is <paramref name="height"/> × <paramref name="width"/>, the destination the same or, after an
    /// odd number of quarter turns, <paramref name="width"/> × <paramref name="height"/>.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, int bands, int height, int width, AugmentationChoice choice)
    {
        int plane = height * width;
        if (source.Length != bands * plane || destination.Length != bands * plane)
            throw new ArgumentException($"expected {bands} planes of {height}×{width} values in and out, got {source.Length} and {destination.Length}");
        var (map, outHeight, outWidth) = IndexMap(height, width, choice);
        if (choice.RotationDegrees == 0)
        {
            for (int b = 0; b < bands; b++)
            {
                var from = source.Slice(b * plane, plane);
                var to = destination.Slice(b * plane, plane);
                for (int p = 0; p < plane; p++) to[p] = from[map[p]];
            }
            return;
        }

        // Per output pixel: the four source offsets and weights, shared by all bands.
        var taps = new int[4 * plane];
        var weights = new float[4 * plane];
        double angle = choice.RotationDegrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cx = (outWidth - 1) / 2.0, cy = (outHeight - 1) / 2.0;
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
            {
                double dx = x - cx, dy = y - cy;
                double sx = Mirror(cos * dx - sin * dy + cx, outWidth - 1), sy = Mirror(sin * dx + cos * dy + cy, outHeight - 1);
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                int x1 = Math.Min(x0 + 1, outWidth - 1), y1 = Math.Min(y0 + 1, outHeight - 1);
                double fx = sx - x0, fy = sy - y0;
                int p = 4 * (y * outWidth + x);
                taps[p] = map[y0 * outWidth + x0];
                taps[p + 1] = map[y0 * outWidth + x1];
                taps[p + 2] = map[y1 * outWidth + x0];
                taps[p + 3] = map[y1 * outWidth + x1];
                weights[p] = (float)((1 - fx) * (1 - fy));
                weights[p + 1] = (float)(fx * (1 - fy));
                weights[p + 2] = (float)((1 - fx) * fy);
                weights[p + 3] = (float)(fx * fy);
            }
        for (int b = 0; b < bands; b++)
        {
            var from = source.Slice(b * plane, plane);
            var to = destination.Slice(b * plane, plane);
            for (int o = 0, p = 0; o < plane; o++, p += 4)
                to[o] = weights[p] * from[taps[p]] + weights[p + 1] * from[taps[p + 1]]
                      + weights[p + 2] * from[taps[p + 2]] + weights[p + 3] * from[taps[p + 3]];
        }
    }

    /// <summary>For each pixel of the flipped and turned image, the index of the source pixel it comes from; and that image's size.</summary>
    static (int[] Map, int Height, int Width) IndexMap(int height, int width, AugmentationChoice choice)
    {
        int turns = ((choice.QuarterTurns % 4) + 4) % 4;
        bool swap = turns % 2 == 1;
        int outHeight = swap ? width : height, outWidth = swap ? height : width;
        if (swap && height != width && choice.RotationDegrees != 0)
            throw new ArgumentException("odd quarter turns combined with a rotation need square images");
        var map = new int[height * width];
        for (int i = 0; i < outHeight; i++)
            for (int j = 0; j < outWidth; j++)
            {
                // Undo the turns one by one (a counter-clockwise turn puts input (j, W−1−i) at output (i, j)),
                // then the vertical and the horizontal flip.
                int r = i, c = j, h = outHeight, w = outWidth;
                for (int t = 0; t < turns; t++)
                {
                    (r, c) = (c, h - 1 - r);
                    (h, w) = (w, h);
                }
                if (choice.FlipVertical) r = height - 1 - r;
                if (choice.FlipHorizontal) c = width - 1 - c;
                map[i * outWidth + j] = r * width + c;
            }
        return (map, outHeight, outWidth);
    }

    /// <summary>Mirrors a coordinate into [0, last] about the outer pixel centres (period 2 × last).</summary>
    static double Mirror(double v, int last)
    {
        if (last == 0) return 0;
        double period = 2.0 * last;
        v = Math.Abs(v) % period;
        return v > last ? period - v : v;
    }
}
