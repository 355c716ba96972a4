namespace CnnSentinel.Raster;

/// <summary>One point of a <see cref="VectorLayer"/> on a grid.</summary>
/// <param name="Feature">The feature's position in the layer (0-based).</param>
/// <param name="Pixel">The pixel holding it: row × width + column.</param>
internal readonly record struct GridPoint(int Feature, int Pixel);
