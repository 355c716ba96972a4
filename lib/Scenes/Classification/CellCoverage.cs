namespace CnnSentinel.Scenes;

/// <summary>How many of a scene's cells <see cref="ClassificationMode.Adaptive"/> classified as windows of their own; the others were interpolated.</summary>
/// <param name="Cells">Cells of the stride grid over all blocks (cells shared by neighbouring blocks counted in each).</param>
/// <param name="Classified">Of those, how many windows went through the network.</param>
internal sealed record CellCoverage(long Cells, long Classified)
{
    /// <summary>Share of cells classified (0–1): about the share of naive windows' time spent.</summary>
    public double Share => Cells == 0 ? double.NaN : Classified / (double)Cells;
}
