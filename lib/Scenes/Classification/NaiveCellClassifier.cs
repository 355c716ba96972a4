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
        int window = model.WindowSize, batch = options.BatchSize;
        var rowsOut = new List<Tensor>(cells.RowStarts.Length);
        foreach (var r in cells.RowStarts)
        {
            var row = block.Input.narrow(1, r, window); // [C, S, W], a view
            var parts = new List<Tensor>();
            // Windows stacked from views copy only their own pixels (an index_select through an unfold view copied a
            // whole row of windows at every offset first: more time than the network at stride 32).
            for (int c = 0; c < cells.ColumnStarts.Length; c += batch)
                parts.Add(F.softmax(model.Logits(stack(cells.ColumnStarts.Skip(c).Take(batch).Select(x => row.narrow(2, x, window)).ToList(), 0)), 1));
            rowsOut.Add(cat(parts, 0)); // [cells x, K]
        }
        return stack(rowsOut, 0).permute(2, 0, 1);
    }
}
