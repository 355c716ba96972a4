using CnnSentinel.Randomness;

namespace CnnSentinel.Datasets;

/// <summary>
/// A spatially disjoint split of georeferenced (multispectral) patches: the map is cut into square blocks,
/// and whole blocks go to training or validation, so that overlapping or neighbouring patches — which
/// look alike — do not end up on both sides and inflate validation accuracy.
/// </summary>
/// <remarks>
/// <para>A patch belongs to the block of its centre: (CRS, ⌊x / size⌋, ⌊y / size⌋) in the patch's own CRS
/// (EuroSAT patches are in UTM, metres; blocks of different UTM zones are different blocks). The blocks are
/// sorted, shuffled with <see cref="SplitMix64"/> from the seed, and taken for validation until at least
/// <c>round(n × fraction)</c> patches are held out. The split is not stratified by class: per-class
/// fractions vary with where the classes lie.</para>
/// <para>Patches on either side of a block border can still touch; with blocks much larger than a patch
/// (default 5 km against 640 m) that concerns few patches.</para>
/// </remarks>
public static class SpatialBlockSplit
{
    /// <summary>Default block edge in map units (metres for UTM).</summary>
    public const double DefaultBlockSize = 5000;

    /// <summary>A block of the grid: CRS and grid cell.</summary>
    public readonly record struct Block(int Epsg, long Column, long Row) : IComparable<Block>
    {
        /// <inheritdoc />
        public int CompareTo(Block other) =>
            (Epsg, Column, Row).CompareTo((other.Epsg, other.Column, other.Row));

        /// <inheritdoc />
        public override string ToString() => $"EPSG:{Epsg} ({Column}, {Row})";
    }

    /// <summary>The block that holds the centre of a patch.</summary>
    public static Block BlockOf(PatchGeoreference georeference, double blockSize = DefaultBlockSize) =>
        new(georeference.Epsg, (long)Math.Floor(georeference.CentreX / blockSize), (long)Math.Floor(georeference.CentreY / blockSize));

    /// <summary>The block of every patch of <paramref name="dataset"/>, read from the GeoTIFF tags.</summary>
    /// <exception cref="InvalidOperationException">The dataset is not multispectral (JPEGs carry no georeferencing).</exception>
    public static IReadOnlyDictionary<EuroSatSample, Block> Blocks(EuroSatDataset dataset, double blockSize = DefaultBlockSize)
    {
        if (dataset.Format != PatchFormat.Multispectral)
            throw new InvalidOperationException($"{dataset.Root}: a spatial split needs georeferenced GeoTIFF patches; the RGB JPEGs have none");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        return dataset.Samples.ToDictionary(s => s, s => BlockOf(GeoTiffPatchReader.ReadGeoreference(dataset.FullPath(s)), blockSize));
    }

    /// <summary>Splits <paramref name="dataset"/> by blocks of <paramref name="blockSize"/> map units.</summary>
    public static SplitManifest Create(EuroSatDataset dataset, double blockSize = DefaultBlockSize,
        double validationFraction = StratifiedRandomSplit.DefaultValidationFraction, int seed = StratifiedRandomSplit.DefaultSeed)
    {
        if (validationFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must lie in [0, 1]");
        var blockOf = Blocks(dataset, blockSize);
        var blocks = blockOf.Values.Distinct().Order().ToList();
        new SplitMix64((ulong)seed).Shuffle(blocks);
        int wanted = (int)Math.Round(dataset.Samples.Count * validationFraction, MidpointRounding.AwayFromZero);
        var sizes = blockOf.Values.CountBy(b => b).ToDictionary();
        var validation = new HashSet<Block>();
        int held = 0;
        foreach (var block in blocks)
        {
            if (held >= wanted) break;
            validation.Add(block);
            held += sizes[block];
        }
        return new SplitManifest(dataset.Samples.Select(s =>
            new SplitEntry(s, validation.Contains(blockOf[s]) ? SplitSet.Validation : SplitSet.Train)));
    }
}
