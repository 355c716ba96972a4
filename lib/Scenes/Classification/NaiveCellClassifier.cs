using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnSentinel.Scenes;

/// <summary>The original's method: each cell's window cut out and classified on its own, in batches of <see cref="SceneClassifierOptions.BatchSize"/>.</summary>
internal sealed class NaiveCellClassifier(WindowModel model, SceneClassifierOptions options) : CellClassifier
{
    /// <inheritdoc />
    public override int Margin => 0;

    /// <inheritdoc />
    public override int Extra => 0;

    /// <inheritdoc />
    public override Tensor Classify(SceneBlockInput block, BlockCells cells)
    {
        int window = model.WindowSize, batch = options.BatchSize, columns = cells.ColumnStarts.Length;
        int count = cells.RowStarts.Length * columns;
        var parts = new List<Tensor>((count + batch - 1) / batch);
        // Batches run across rows of cells: a row of a block holds few cells (33 at stride 16 in a 512-px block), and
        // the network runs markedly faster per window in batches of hundreds than of tens. Windows stacked from views
        // copy only their own pixels (an index_select through an unfold view copied a whole row of windows at every
        // offset first: more time than the network at stride 32).
        for (int first = 0; first < count; first += batch)
        {
            var at = Enumerable.Range(first, Math.Min(batch, count - first)).Select(i => (i / columns, i % columns));
            parts.Add(F.softmax(model.Logits(Windows(block, cells, window, at)), 1));
        }
        return cat(parts, 0).reshape(cells.RowStarts.Length, columns, -1).permute(2, 0, 1);
    }
}
