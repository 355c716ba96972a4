using CnnSentinel.Randomness;

namespace CnnSentinel.Transforms;

/// <summary>
/// Training augmentation for land-use maps: a patch is shown among other patches of its batch, through the window of
/// its own size centred on a random pixel of it; the label stays the patch's class, the class of the window's centre.
/// </summary>
/// <remarks>
/// <para>Why: a map gives each pixel the class of the window centred on it (<c>cnnsentinel classify</c>), so near a
/// border between land covers the window holds several of them. A network trained on whole patches only has never seen
/// a border, and a strip of a bright neighbour at the window's edge is enough to change its answer: on a mosaic of
/// validation patches such a model is far better on whole patches than at patch centres with shifted windows, and
/// worse still by patch majority (the README's map accuracy table). Shown its patches with neighbours, it learns to
/// answer for the centre.</para>
/// <para>The window centred on pixel (r, c) of the patch reaches into at most three neighbours (above or below, left
/// or right, and the one diagonal between them), each drawn from the other images of the batch after their own
/// augmentation. Every image draws the same numbers whether or not it gets neighbours, from its own seeded stream, so
/// a batch depends on nothing but its plan.</para>
/// </remarks>
/// <param name="Probability">Chance that an image is shown with neighbours; the others stay whole patches, as
/// evaluation sees them.</param>
public sealed record ContextMosaic(double Probability = 0.5)
{
    /// <summary>Chance that an image is shown with neighbours, 0 to 1.</summary>
    /// <exception cref="UserErrorException">Outside 0 to 1.</exception>
    public double Probability { get; init; } = Probability is >= 0 and <= 1
        ? Probability
        : throw new UserErrorException($"The context mosaic's probability is {Probability}: it must be between 0 and 1.");

    /// <summary>The setting in words, as recipes and model cards name it.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Probability:0.##} of the images among neighbours (context mosaic)");

    /// <summary>The window's placement for one image of a batch of <paramref name="count"/> (<see cref="ContextPlacement.Whole"/> for none).</summary>
    internal ContextPlacement Draw(SplitMix64 random, int index, int count, int size)
    {
        bool shown = random.NextDouble() < Probability;
        int rowShift = random.NextInt(size) - size / 2, columnShift = random.NextInt(size) - size / 2;
        int Other() => count < 2 ? index : (index + 1 + random.NextInt(count - 1)) % count;
        int vertical = Other(), horizontal = Other(), diagonal = Other();
        var placement = new ContextPlacement(rowShift, columnShift, vertical, horizontal, diagonal);
        return shown && count > 1 && placement.HasNeighbours ? placement : ContextPlacement.Whole;
    }

    /// <summary>One placement per image of a batch of <paramref name="count"/> patches of <paramref name="size"/> pixels, each from its own stream of <paramref name="seed"/>.</summary>
    internal ContextPlacement[] Draw(ulong seed, int count, int size) =>
        Enumerable.Range(0, count).Select(i => Draw(new SplitMix64(SplitMix64.Derive(seed, i)), i, count, size)).ToArray();

    /// <summary>
    /// Writes image <paramref name="index"/> of <paramref name="batch"/> (<c>[N, bands, size, size]</c>, row-major) seen
    /// through <paramref name="placement"/> into <paramref name="output"/> (one image).
    /// </summary>
    internal static void Apply(ReadOnlySpan<float> batch, Span<float> output, int index, ContextPlacement placement, int bands, int size)
    {
        int plane = size * size, image = bands * plane;
        for (int b = 0; b < bands; b++)
            for (int y = 0; y < size; y++)
            {
                int sourceRow = y + placement.RowShift;
                bool above = sourceRow < 0, below = sourceRow >= size;
                int row = above ? sourceRow + size : below ? sourceRow - size : sourceRow;
                // The row's pixels come from two images: the one in this row of the arrangement beside the patch's column, and its left or right neighbour.
                int middle = above || below ? placement.Vertical : index;
                int side = above || below ? placement.Diagonal : placement.Horizontal;
                var target = output.Slice(b * plane + y * size, size);
                int shift = placement.ColumnShift;
                int inside = size - Math.Abs(shift);
                var middleRow = batch.Slice(middle * image + b * plane + row * size, size);
                var sideRow = batch.Slice(side * image + b * plane + row * size, size);
                if (shift >= 0)
                {
                    middleRow.Slice(shift, inside).CopyTo(target);
                    sideRow.Slice(0, shift).CopyTo(target[inside..]);
                }
                else
                {
                    sideRow.Slice(size + shift, -shift).CopyTo(target);
                    middleRow.Slice(0, inside).CopyTo(target[(-shift)..]);
                }
            }
    }
}

/// <summary>Where the window of one training image lies (<see cref="ContextMosaic"/>).</summary>
/// <param name="RowShift">Rows from the patch's centre to the window's (negative: up).</param>
/// <param name="ColumnShift">Columns from the patch's centre to the window's (negative: left).</param>
/// <param name="Vertical">The batch image placed above (or below) the patch.</param>
/// <param name="Horizontal">The batch image placed left (or right) of the patch.</param>
/// <param name="Diagonal">The batch image in the corner between those two.</param>
internal readonly record struct ContextPlacement(int RowShift, int ColumnShift, int Vertical, int Horizontal, int Diagonal)
{
    /// <summary>The whole patch, no neighbours.</summary>
    public static ContextPlacement Whole => default;

    /// <summary>Whether the window reaches into neighbours.</summary>
    public bool HasNeighbours => (RowShift, ColumnShift) != (0, 0);
}
