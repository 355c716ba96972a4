namespace CnnSentinel.Scenes;

/// <summary>The cells of one block (<see cref="SceneClassifier"/>): where their centres are, and where their windows start in the block's input.</summary>
/// <param name="Rows">The cell centres along the rows.</param>
/// <param name="Columns">The cell centres along the columns.</param>
/// <param name="RowStarts">Top edge of each cell's window, as a row index into the block's input.</param>
/// <param name="ColumnStarts">Left edge of each cell's window, as a column index into the block's input.</param>
/// <param name="X">The block's first column in the scene.</param>
/// <param name="Y">The block's first row in the scene.</param>
/// <param name="Width">The block's columns.</param>
/// <param name="Height">The block's rows.</param>
internal sealed record BlockCells(CellAxis Rows, CellAxis Columns, long[] RowStarts, long[] ColumnStarts, int X, int Y, int Width, int Height);
