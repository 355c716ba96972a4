namespace CnnSentinel.Scenes;

/// <summary>
/// Along one axis of a block: which cell centres of the scene-wide stride grid it needs (centre k at k·stride + ⌊stride/2⌋),
/// and for each of its pixels the two centres it is interpolated between and the weight of the second.
/// </summary>
/// <param name="Centres">Scene coordinates of the cells the block needs, in order.</param>
/// <param name="Lower">Per pixel of the block, the index into <see cref="Centres"/> of the centre at or before it.</param>
/// <param name="Upper">Per pixel, the index of the centre after it (equal to <see cref="Lower"/> where its weight is 0).</param>
/// <param name="Weights">Per pixel, the weight of <see cref="Upper"/> (0–1, linear in the distance).</param>
sealed record CellAxis(int[] Centres, long[] Lower, long[] Upper, float[] Weights)
{
    /// <summary>The first centre's scene coordinate.</summary>
    public int FirstCentre => Centres[0];

    /// <summary>Distance from the first centre to the last.</summary>
    public int Span => Centres[^1] - Centres[0];

    /// <summary>The cells of the block from <paramref name="start"/>, <paramref name="length"/> pixels long, of an axis <paramref name="size"/> pixels long.</summary>
    public static CellAxis For(int start, int length, int size, int stride)
    {
        int cells = (size + stride - 1) / stride, offset = stride / 2;
        var lower = new int[length];
        var upper = new int[length];
        var weights = new float[length];
        for (int i = 0; i < length; i++)
        {
            double t = (start + i - offset) / (double)stride;
            int k = (int)Math.Floor(t);
            double w = t - k;
            if (k < 0) (k, w) = (0, 0);
            if (k >= cells - 1) (k, w) = (cells - 1, 0);
            lower[i] = k;
            upper[i] = w > 0 ? k + 1 : k;
            weights[i] = (float)w;
        }
        int first = lower.Min(), last = upper.Max();
        return new CellAxis(
            Enumerable.Range(first, last - first + 1).Select(k => k * stride + offset).ToArray(),
            lower.Select(k => (long)(k - first)).ToArray(),
            upper.Select(k => (long)(k - first)).ToArray(),
            weights);
    }
}
