using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>One class of a classified map: the pixel value that stands for it, its name and its colour.</summary>
/// <param name="Value">The value in the class GeoTIFF (the model's output index).</param>
/// <param name="Name">The class name, e.g. "Forest".</param>
/// <param name="Color">Its colour in the map's colour table.</param>
public sealed record LandUseClass(int Value, string Name, RgbColor Color);
