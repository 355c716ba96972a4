using CnnSentinel.Datasets;

namespace CnnSentinel.Evaluation;

/// <summary>One cell of a <see cref="LabelledMosaic"/>: where it lies and which labelled patch fills it.</summary>
/// <param name="Row">Grid row (0 at the top).</param>
/// <param name="Column">Grid column (0 at the left).</param>
/// <param name="Patch">The patch, whose class is the truth for every pixel of the cell.</param>
public sealed record MosaicTile(int Row, int Column, EuroSatSample Patch)
{
    /// <summary>First pixel column of the cell in the mosaic.</summary>
    public int X => Column * LabelledMosaic.TileSize;

    /// <summary>First pixel row of the cell in the mosaic.</summary>
    public int Y => Row * LabelledMosaic.TileSize;
}
