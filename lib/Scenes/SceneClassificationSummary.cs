namespace CnnSentinel.Scenes;

/// <summary>What classifying one scene produced.</summary>
/// <param name="Width">Columns of the scene.</param>
/// <param name="Height">Rows.</param>
/// <param name="PixelCounts">Pixels per map value (index = value): the classes, then the masks (<see cref="MapMask"/>), <see cref="ClassLegend.ValueCount"/> in all.</param>
/// <param name="NoDataPixels">Pixels without data.</param>
/// <param name="Elapsed">Time taken, writing included.</param>
/// <param name="Outputs">The files written.</param>
/// <param name="Skipped">True when the outputs already existed and nothing was done.</param>
public sealed record SceneClassificationSummary(int Width, int Height, IReadOnlyList<long> PixelCounts, long NoDataPixels,
    TimeSpan Elapsed, SceneOutputPaths Outputs, bool Skipped = false)
{
    /// <summary>Pixels classified per second.</summary>
    public double PixelsPerSecond => Elapsed.TotalSeconds > 0 ? (double)Width * Height / Elapsed.TotalSeconds : 0;
}
