namespace CnnSentinel.Datasets;

/// <summary>
/// The ten EuroSAT land-use classes. A class's index is its position in alphabetical order, as in the
/// original CNN-Sentinel (Keras' flow_from_directory sorts the folder names).
/// </summary>
internal static class EuroSatClasses
{
    /// <summary>How many classes there are: the count of <see cref="Names"/>, as a constant for the models' default arguments.</summary>
    public const int Count = 10;

    /// <summary>The class names, index 0 (AnnualCrop) to 9 (SeaLake).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial",
        "Pasture", "PermanentCrop", "Residential", "River", "SeaLake",
    ];
}
