namespace CnnSentinel.Scenes;

/// <summary>
/// Pixels per map value of a scene's blocks as they stream in, checked against the legend: every value must be one of its
/// classes, a <see cref="MapMask"/> or nodata, and the probabilities as many per pixel as it has classes.
/// </summary>
/// <param name="legend">The map's classes and masks.</param>
/// <param name="input">The scene's path, for the messages.</param>
sealed class MapValueCounts(ClassLegend legend, string input)
{
    readonly long[] _counts = new long[256]; // per value: classes, masks, nodata
    readonly bool[] _known = Known(legend);

    /// <summary>Counts the pixels of <paramref name="block"/>.</summary>
    /// <exception cref="InvalidDataException">The block's class count differs from the legend's, or it has a value that is
    /// neither a class, a <see cref="MapMask"/> nor nodata.</exception>
    public void Add(ClassifiedBlock block)
    {
        int classes = legend.Classes.Count;
        if (block.Probabilities is { } probabilities && probabilities.Length != classes * block.Width * block.Height)
            throw new InvalidDataException($"{input}: the model gives {probabilities.Length / (block.Width * block.Height)} classes but the legend has {classes}.");
        foreach (var value in block.Classes)
        {
            if (!_known[value])
                throw new InvalidDataException($"{input}: the map has value {value}, which is none of the legend's {classes} classes, " +
                    $"masks ({string.Join(", ", ClassLegend.Masks.Select(m => $"{m.Value} {m.Name}"))}) or nodata ({SceneClassifier.NoDataClass}).");
            _counts[value]++;
        }
    }

    /// <summary>Pixels per value from 0 to <see cref="ClassLegend.ValueCount"/>: the classes, then the masks.</summary>
    public long[] PerValue => _counts[..ClassLegend.ValueCount];

    /// <summary>Pixels without data.</summary>
    public long NoData => _counts[SceneClassifier.NoDataClass];

    static bool[] Known(ClassLegend legend)
    {
        var known = new bool[256];
        foreach (var entry in legend.Entries) known[entry.Value] = true;
        known[SceneClassifier.NoDataClass] = true;
        return known;
    }
}
