using CnnSentinel.Randomness;

namespace CnnSentinel.Datasets;

/// <summary>
/// The original's split: per class, a seeded shuffle, and the first <c>round(n × fraction)</c> patches go to
/// validation (seed 42, 30 % by default: 18,900 / 8,100 on the full EuroSAT).
/// </summary>
/// <remarks>
/// Reproducible across runs, machines and .NET versions: each class's files are sorted ordinally and
/// shuffled with <see cref="SplitMix64"/> seeded from the seed and the class name (so adding or removing a
/// class does not change the others). It does not reproduce the exact file sets of the Python original,
/// whose shuffle used Python's generator. Random splits of EuroSAT put neighbouring patches on both
/// sides and overstate accuracy; see <see cref="SpatialBlockSplit"/>.
/// </remarks>
public static class StratifiedRandomSplit
{
    /// <summary>The original's seed.</summary>
    public const int DefaultSeed = 42;

    /// <summary>The original's validation fraction.</summary>
    public const double DefaultValidationFraction = 0.3;

    /// <summary>Splits <paramref name="dataset"/> per class.</summary>
    public static SplitManifest Create(EuroSatDataset dataset, double validationFraction = DefaultValidationFraction, int seed = DefaultSeed)
    {
        if (validationFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must lie in [0, 1]");
        var entries = new List<SplitEntry>();
        foreach (var group in dataset.Samples.GroupBy(s => s.ClassName))
        {
            var files = group.OrderBy(s => s.RelativePath, StringComparer.Ordinal).ToList();
            new SplitMix64(SplitMix64.Derive((ulong)seed, group.Key)).Shuffle(files);
            int validation = (int)Math.Round(files.Count * validationFraction, MidpointRounding.AwayFromZero);
            entries.AddRange(files.Select((s, i) => new SplitEntry(s, i < validation ? SplitSet.Validation : SplitSet.Train)));
        }
        return new SplitManifest(entries);
    }
}
