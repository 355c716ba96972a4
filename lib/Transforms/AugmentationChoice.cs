namespace CnnSentinel.Transforms;

/// <summary>What one image gets from an <see cref="AugmentationPolicy"/>, applied in this order: flips, quarter turns, rotation.</summary>
/// <param name="FlipHorizontal">Mirror left ↔ right.</param>
/// <param name="FlipVertical">Mirror top ↔ bottom.</param>
/// <param name="QuarterTurns">Counter-clockwise quarter turns, 0 to 3.</param>
/// <param name="RotationDegrees">Counter-clockwise rotation with reflect padding; 0 for none.</param>
public readonly record struct AugmentationChoice(bool FlipHorizontal, bool FlipVertical, int QuarterTurns, double RotationDegrees)
{
    /// <summary>No change.</summary>
    public static AugmentationChoice Identity => default;

    /// <inheritdoc />
    public override string ToString()
    {
        var parts = new List<string>();
        if (FlipHorizontal) parts.Add("flip ↔");
        if (FlipVertical) parts.Add("flip ↕");
        if (QuarterTurns != 0) parts.Add($"{90 * QuarterTurns}°");
        if (RotationDegrees != 0) parts.Add($"rotate {RotationDegrees:+0.0;-0.0}°");
        return parts.Count == 0 ? "unchanged" : string.Join(", ", parts);
    }
}
