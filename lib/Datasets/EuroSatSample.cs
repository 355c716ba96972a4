namespace CnnSentinel.Datasets;

/// <summary>One patch of a dataset: its file and its class.</summary>
/// <param name="RelativePath">Path below the dataset root with '/' separators (<c>Forest/Forest_12.jpg</c>), the same on every machine.</param>
/// <param name="ClassName">The class (its folder name).</param>
/// <param name="ClassIndex">The class's index in the dataset's class list.</param>
public sealed record EuroSatSample(string RelativePath, string ClassName, int ClassIndex);
