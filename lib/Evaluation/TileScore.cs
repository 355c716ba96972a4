namespace CnnSentinel.Evaluation;

/// <summary>What a class map says over one cell of a <see cref="LabelledMosaic"/>.</summary>
/// <param name="Tile">The cell and its patch (the truth).</param>
/// <param name="Centre">The map's value at the cell's centre pixel (<see cref="MapAccuracy.CentrePixel"/>).</param>
/// <param name="CentreBlockCorrect">How many of the 2 × 2 pixels around the cell's centre hold the true class (0–4).</param>
/// <param name="Majority">The value most of the cell's pixels hold; null on a tie.</param>
/// <param name="CorrectPixels">Pixels of the cell that hold the true class.</param>
internal sealed record TileScore(MosaicTile Tile, int Centre, int CentreBlockCorrect, int? Majority, int CorrectPixels)
{
    /// <summary>The true class.</summary>
    public int Truth => Tile.Patch.ClassIndex;
}
