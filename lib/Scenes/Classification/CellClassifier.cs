using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// How a block's cells get their class probabilities (<see cref="SceneClassifier"/>): each window on its own
/// (<see cref="NaiveCellClassifier"/>, the original's method), the convolutional part once per block
/// (<see cref="DenseCellClassifier"/>), or windows on their own only where the map changes (<see cref="AdaptiveCellClassifier"/>).
/// </summary>
internal abstract class CellClassifier
{
    /// <summary>The strategy <paramref name="options"/> ask for (<see cref="SceneClassifierOptions.Mode"/>).</summary>
    public static CellClassifier For(WindowModel model, SceneClassifierOptions options) => options.Mode switch
    {
        ClassificationMode.Dense => new DenseCellClassifier(model, options),
        ClassificationMode.Adaptive => new AdaptiveCellClassifier(model, options),
        _ => new NaiveCellClassifier(model, options),
    };

    /// <summary>Input read around the block's windows on each side.</summary>
    public abstract int Margin { get; }

    /// <summary>Input read beyond the windows and margins, at the far edge.</summary>
    public abstract int Extra { get; }

    long _compared, _agreed;

    /// <summary>
    /// How often the cells agreed with naive windows at sampled centres since <see cref="Restart"/> (<see cref="SampleNaive"/>);
    /// null where nothing was sampled.
    /// </summary>
    public SceneAgreement? Agreement => _compared == 0 ? null : new SceneAgreement(_compared, _agreed);

    /// <summary>How many cells' windows were classified on their own since <see cref="Restart"/>; null where not counted (naive: all, dense: none).</summary>
    public virtual CellCoverage? Coverage => null;

    /// <summary>Forgets what was measured: a new scene begins.</summary>
    public virtual void Restart() => _compared = _agreed = 0;

    /// <summary>The class probabilities of the block's <paramref name="cells"/>, [K, cells y, cells x].</summary>
    public abstract Tensor Classify(SceneBlockInput block, BlockCells cells);

    /// <summary>
    /// The windows of the block's cells <paramref name="at"/> (indices into its rows and columns of cells), cut out of
    /// its input and stacked as one batch [N, C, window, window]; each copies only its own pixels.
    /// </summary>
    protected static Tensor Windows(SceneBlockInput block, BlockCells cells, int window, IEnumerable<(int Y, int X)> at) =>
        stack(at.Select(c => block.Input.narrow(1, cells.RowStarts[c.Y], window).narrow(2, cells.ColumnStarts[c.X], window)).ToList(), 0);

    /// <summary>
    /// Classifies up to <paramref name="samples"/> of <paramref name="candidates"/> (those whose centres lie inside the block
    /// and have data, picked by a generator seeded with the block's position, so reruns sample the same cells) as lone
    /// windows, the original's naive method, and counts into <see cref="Agreement"/> how often their class equals
    /// <paramref name="classOf"/>'s.
    /// </summary>
    protected void SampleNaive(WindowModel model, SceneBlockInput block, BlockCells cells, IEnumerable<(int Y, int X)> candidates,
        int samples, Func<int, int, long> classOf)
    {
        var noData = block.CentreNoData.contiguous().data<bool>().ToArray(); // read once, not one tensor element per cell
        var inside = candidates.Where(c =>
        {
            int cy = cells.Rows.Centres[c.Y] - cells.Y, cx = cells.Columns.Centres[c.X] - cells.X;
            return cy >= 0 && cy < cells.Height && cx >= 0 && cx < cells.Width && !noData[cy * cells.Width + cx];
        }).ToList();
        if (inside.Count == 0) return;
        // Seeded from the position itself: HashCode.Combine is randomised per process, which made the figure change between runs.
        var random = new Random(unchecked(cells.X * 1_000_003 + cells.Y));
        var picked = inside.OrderBy(_ => random.Next()).Take(samples).ToList();
        using var scope = NewDisposeScope();
        var naive = model.Logits(Windows(block, cells, model.WindowSize, picked)).argmax(1).data<long>().ToArray();
        _compared += picked.Count;
        _agreed += picked.Where((p, i) => classOf(p.Y, p.X) == naive[i]).Count();
    }
}
