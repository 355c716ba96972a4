namespace CnnSentinel.Scenes;

/// <summary>
/// How often a dense map's class at a cell centre equals the class of that centre's window classified on its own
/// (the original's naive method): the check of dense mode for padded networks, whose dense features differ from a
/// lone window's near the window's border.
/// </summary>
/// <param name="Compared">Cell centres compared.</param>
/// <param name="Agreed">Of those, how many got the same class both ways.</param>
internal sealed record SceneAgreement(long Compared, long Agreed)
{
    /// <summary>Share of compared centres that agreed (0–1).</summary>
    public double Rate => Compared == 0 ? double.NaN : Agreed / (double)Compared;
}
