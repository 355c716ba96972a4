using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnSentinel.Scenes;

/// <summary>
/// Naive windows, coarse to fine (<see cref="ClassificationMode.Adaptive"/>): a block's cells are first classified on a
/// coarse lattice (every <c>m</c>-th cell of the scene-wide grid, <c>m·stride</c> ≤ <see cref="SceneClassifierOptions.AdaptiveCoarsest"/>),
/// then the lattice is halved until it is the grid itself; at each level a new cell's window is classified on its own
/// unless the four cells of the coarser lattice around it agree — one class, each at least
/// <see cref="SceneClassifierOptions.AdaptiveSettledAbove"/> — in which case its probabilities are interpolated bilinearly
/// between them.
/// </summary>
/// <remarks>
/// <para>Why: a padded network's dense map is not its naive windows' (zero padding), and naive windows at stride 8 cost
/// the whole network per cell (about an hour for a Sentinel-2 tile on two cores, by the scene-scale bench). Much of a
/// scene is wide areas of one land cover, where a window between four confident windows of one class gets that class
/// too; the work goes to the borders between land covers and to what the model is unsure of. Every computed cell is
/// exactly its naive window; the classifier counts how many cells it computed (<see cref="Coverage"/>) and checks a few
/// interpolated cells per block against their windows (<see cref="CellClassifier.Agreement"/>).</para>
/// <para>Interpolating between four corners of one class, each above a threshold of at least 0.5, gives that class
/// above the threshold (a convex combination), so a settled square stays settled at the finer levels and the map
/// there is the coarse lattice's bilinear map.</para>
/// </remarks>
internal sealed class AdaptiveCellClassifier(WindowModel model, SceneClassifierOptions options) : CellClassifier
{
    long _cells, _classified;

    /// <inheritdoc />
    public override int Margin => 0;

    /// <inheritdoc />
    public override int Extra => 0;

    /// <inheritdoc />
    public override CellCoverage? Coverage => _cells == 0 ? null : new CellCoverage(_cells, _classified);

    /// <inheritdoc />
    public override void Restart()
    {
        base.Restart();
        _cells = _classified = 0;
    }

    /// <summary>The coarsest lattice's spacing in cells: the largest power of two whose spacing in pixels is at most the setting's (1: every cell).</summary>
    internal static int CoarsestStep(int stride, int coarsest)
    {
        int step = 1;
        while (2L * step * stride <= coarsest) step *= 2;
        return step;
    }

    /// <inheritdoc />
    public override Tensor Classify(SceneBlockInput block, BlockCells cells)
    {
        int ny = cells.Rows.Centres.Length, nx = cells.Columns.Centres.Length;
        var grid = new CellGrid(ny, nx);
        int stride = options.Stride, top = CoarsestStep(stride, options.AdaptiveCoarsest);
        var rows = Lattice(cells.Rows.Centres, stride, top);
        var columns = Lattice(cells.Columns.Centres, stride, top);
        Compute(block, cells, grid, rows.SelectMany(y => columns.Select(x => (y, x))).ToList());
        var interpolated = new List<(int Y, int X)>();
        for (int step = top / 2; step >= 1; step /= 2)
        {
            var fineRows = Lattice(cells.Rows.Centres, stride, step);
            var fineColumns = Lattice(cells.Columns.Centres, stride, step);
            var compute = new List<(int Y, int X)>();
            var interpolate = new List<(int Y, int X, int Y0, int Y1, int X0, int X1)>();
            foreach (int y in fineRows)
            {
                var (y0, y1) = Bracket(rows, y);
                foreach (int x in fineColumns)
                {
                    if (grid.Known[y * nx + x]) continue;
                    var (x0, x1) = Bracket(columns, x);
                    if (grid.Settled(y0, y1, x0, x1, options.AdaptiveSettledAbove, options.Water?.WaterClasses)) interpolate.Add((y, x, y0, y1, x0, x1));
                    else compute.Add((y, x));
                }
            }
            Compute(block, cells, grid, compute);
            foreach (var (y, x, y0, y1, x0, x1) in interpolate)
            {
                grid.Interpolate(y, x, y0, y1, x0, x1, cells.Rows.Centres, cells.Columns.Centres);
                interpolated.Add((y, x));
            }
            (rows, columns) = (fineRows, fineColumns);
        }
        // A few interpolated cells checked against their own windows; the map keeps the interpolated values, so the figure describes it.
        if (options.AgreementSamplesPerBlock > 0 && interpolated.Count > 0)
            SampleNaive(model, block, cells, interpolated, options.AgreementSamplesPerBlock, (y, x) => grid.ArgMax(y, x));
        _cells += (long)ny * nx;
        return tensor(grid.Probabilities, [grid.Classes, ny, nx]);
    }

    /// <summary>The indices of the cells (of scene centres <paramref name="centres"/>) on the lattice of every <paramref name="step"/>-th grid cell, with the first and last cell always on it.</summary>
    static int[] Lattice(int[] centres, int stride, int step) =>
        Enumerable.Range(0, centres.Length).Where(i => i == 0 || i == centres.Length - 1 || centres[i] / stride % step == 0).ToArray();

    /// <summary>The lattice points at or before and at or after <paramref name="index"/>.</summary>
    static (int Before, int After) Bracket(int[] lattice, int index)
    {
        int i = Array.BinarySearch(lattice, index);
        if (i >= 0) return (index, index);
        i = ~i;
        return (lattice[i - 1], lattice[i]);
    }

    /// <summary>Classifies the windows of <paramref name="targets"/> on their own, in batches, and stores their probabilities.</summary>
    void Compute(SceneBlockInput block, BlockCells cells, CellGrid grid, IReadOnlyList<(int Y, int X)> targets)
    {
        for (int first = 0; first < targets.Count; first += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var batch = targets.Skip(first).Take(options.BatchSize).ToList();
            var probabilities = F.softmax(model.Logits(Windows(block, cells, model.WindowSize, batch)), 1).contiguous().data<float>().ToArray();
            int classes = grid.EnsureClasses(probabilities.Length / batch.Count);
            for (int i = 0; i < batch.Count; i++) grid.Set(batch[i].Y, batch[i].X, probabilities.AsSpan(i * classes, classes));
        }
        _classified += targets.Count;
    }

    /// <summary>A block's cells' class probabilities as they become known, [K, cells y, cells x] row-major.</summary>
    internal sealed class CellGrid(int rows, int columns)
    {
        public bool[] Known { get; } = new bool[rows * columns];

        public float[] Probabilities { get; private set; } = [];

        public int Classes { get; private set; }

        int Plane => rows * columns;

        /// <summary>Learns the class count from the first probabilities stored; returns it.</summary>
        public int EnsureClasses(int classes)
        {
            if (Classes == 0)
            {
                Classes = classes;
                Probabilities = new float[classes * Plane];
            }
            return Classes;
        }

        public void Set(int y, int x, ReadOnlySpan<float> probabilities)
        {
            for (int k = 0; k < Classes; k++) Probabilities[k * Plane + y * columns + x] = probabilities[k];
            Known[y * columns + x] = true;
        }

        public int ArgMax(int y, int x)
        {
            int best = 0, cell = y * columns + x;
            for (int k = 1; k < Classes; k++)
                if (Probabilities[k * Plane + cell] > Probabilities[best * Plane + cell]) best = k;
            return best;
        }

        /// <summary>
        /// True when the corners (y0|y1, x0|x1) share one class, each at least <paramref name="above"/>; where that class is
        /// a water class of the water test (<paramref name="water"/>), also the same land class, each at least
        /// <paramref name="above"/> of the land classes' share, since the test gives non-water pixels the land class.
        /// </summary>
        public bool Settled(int y0, int y1, int x0, int x1, double above, IReadOnlyList<int>? water)
        {
            (int, int)[] corners = [(y0, x0), (y0, x1), (y1, x0), (y1, x1)];
            int shared = SharedClass(corners, above, excluded: null);
            return shared >= 0 && (water is null || !water.Contains(shared) || SharedClass(corners, above, water) >= 0);
        }

        /// <summary>
        /// The class that leads at every corner among the classes not <paramref name="excluded"/>, each time with at least
        /// <paramref name="above"/> of their summed probability; −1 where there is none.
        /// </summary>
        int SharedClass((int Y, int X)[] corners, double above, IReadOnlyList<int>? excluded)
        {
            int shared = -1;
            foreach (var (y, x) in corners)
            {
                int cell = y * columns + x, best = -1;
                float sum = 0;
                for (int k = 0; k < Classes; k++)
                {
                    if (excluded is not null && excluded.Contains(k)) continue;
                    float p = Probabilities[k * Plane + cell];
                    sum += p;
                    if (best < 0 || p > Probabilities[best * Plane + cell]) best = k;
                }
                if (best < 0 || (shared >= 0 && best != shared) || !(Probabilities[best * Plane + cell] >= above * sum)) return -1;
                shared = best;
            }
            return shared;
        }

        /// <summary>Cell (y, x)'s probabilities, bilinear between the corners by the centres' distances.</summary>
        public void Interpolate(int y, int x, int y0, int y1, int x0, int x1, int[] rowCentres, int[] columnCentres)
        {
            float wy = y1 == y0 ? 0 : (rowCentres[y] - rowCentres[y0]) / (float)(rowCentres[y1] - rowCentres[y0]);
            float wx = x1 == x0 ? 0 : (columnCentres[x] - columnCentres[x0]) / (float)(columnCentres[x1] - columnCentres[x0]);
            int cell = y * columns + x;
            for (int k = 0; k < Classes; k++)
            {
                int p = k * Plane;
                float top = (1 - wx) * Probabilities[p + y0 * columns + x0] + wx * Probabilities[p + y0 * columns + x1];
                float bottom = (1 - wx) * Probabilities[p + y1 * columns + x0] + wx * Probabilities[p + y1 * columns + x1];
                Probabilities[p + cell] = (1 - wy) * top + wy * bottom;
            }
            Known[cell] = true;
        }
    }
}
