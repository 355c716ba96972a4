using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// One value of a classified map with its name and colour: a land-use class, or one of the masks that follow the
/// classes (<see cref="MapMask"/>, listed in <see cref="ClassLegend.Masks"/>).
/// </summary>
/// <param name="Value">The value in the class GeoTIFF (a class's model output index, or a <see cref="MapMask"/> value).</param>
/// <param name="Name">The class name, e.g. "Forest", or the mask's, e.g. "Cloud".</param>
/// <param name="Color">Its colour in the map's colour table.</param>
public sealed record LandUseClass(int Value, string Name, RgbColor Color);
