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
/// <para>Patches on either side of a block border can still touch. So that no training patch lies next to a
/// validation patch, training patches whose footprint comes within <c>buffer</c> map units of a validation
/// patch's footprint are left out of the manifest (default 10 m, one pixel: touching and overlapping
/// neighbours; the footprints come from each file's pixel size, which varies by a few centimetres). With
/// blocks much larger than a patch (default 5 km against 640 m) few patches are left out.</para>
/// </remarks>
public static class SpatialBlockSplit
{
    /// <summary>Default block edge in map units (metres for UTM).</summary>
    public const double DefaultBlockSize = 5000;

    /// <summary>Default gap, in map units, that training patches must keep from validation patches.</summary>
    public const double DefaultBuffer = 10;

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
    internal static Block BlockOf(PatchGeoreference georeference, double blockSize = DefaultBlockSize) =>
        new(georeference.Epsg, (long)Math.Floor(georeference.CentreX / blockSize), (long)Math.Floor(georeference.CentreY / blockSize));

    /// <summary>The block of every patch of <paramref name="dataset"/>, read from the GeoTIFF tags.</summary>
    /// <exception cref="UserErrorException">The dataset is not multispectral (JPEGs carry no georeferencing).</exception>
    public static IReadOnlyDictionary<EuroSatSample, Block> Blocks(EuroSatDataset dataset, double blockSize = DefaultBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        return Georeferences(dataset).ToDictionary(p => p.Key, p => BlockOf(p.Value, blockSize));
    }

    /// <summary>Splits <paramref name="dataset"/> by blocks of <paramref name="blockSize"/> map units.</summary>
    /// <param name="dataset">Georeferenced (multispectral) patches.</param>
    /// <param name="blockSize">Block edge in map units.</param>
    /// <param name="validationFraction">Share of the patches to hold out (at least; whole blocks are taken).</param>
    /// <param name="seed">Fixes which blocks are held out.</param>
    /// <param name="buffer">Training patches closer than this to a validation patch are left out; null keeps them all.</param>
    public static SplitManifest Create(EuroSatDataset dataset, double blockSize = DefaultBlockSize,
        double validationFraction = StratifiedRandomSplit.DefaultValidationFraction, int seed = StratifiedRandomSplit.DefaultSeed,
        double? buffer = DefaultBuffer)
    {
        if (validationFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must lie in [0, 1]");
        if (buffer is < 0) throw new ArgumentOutOfRangeException(nameof(buffer), buffer, "must not be negative");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        var georeferences = Georeferences(dataset);
        var blockOf = georeferences.ToDictionary(p => p.Key, p => BlockOf(p.Value, blockSize));
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

        // Validation footprints by block. Two patches within the buffer have centres at most one patch extent
        // plus the buffer apart, so only blocks that close need to be searched.
        var validationByBlock = dataset.Samples.Where(s => validation.Contains(blockOf[s]))
            .GroupBy(s => blockOf[s]).ToDictionary(g => g.Key, g => g.Select(s => georeferences[s]).ToList());
        double extent = georeferences.Values.Select(g => Math.Max(g.PixelWidth * g.Width, g.PixelHeight * g.Height)).DefaultIfEmpty(0).Max();
        long reach = buffer is { } b ? (long)Math.Ceiling((extent + b) / blockSize) : 0;
        bool TooClose(EuroSatSample sample)
        {
            if (buffer is not { } gap) return false;
            var (here, block) = (georeferences[sample], blockOf[sample]);
            for (long dc = -reach; dc <= reach; dc++)
                for (long dr = -reach; dr <= reach; dr++)
                    if (validationByBlock.TryGetValue(block with { Column = block.Column + dc, Row = block.Row + dr }, out var near)
                        && near.Any(v => here.DistanceTo(v) <= gap))
                        return true;
            return false;
        }
        return new SplitManifest(dataset.Samples
            .Select(s => validation.Contains(blockOf[s]) ? new SplitEntry(s, SplitSet.Validation) : TooClose(s) ? null : new SplitEntry(s, SplitSet.Train))
            .OfType<SplitEntry>());
    }

    static IReadOnlyDictionary<EuroSatSample, PatchGeoreference> Georeferences(EuroSatDataset dataset)
    {
        if (dataset.Format != PatchFormat.Multispectral)
            throw new UserErrorException($"{dataset.Root}: a spatial split needs georeferenced GeoTIFF patches; the RGB JPEGs have none");
        return dataset.Samples.AsParallel().ToDictionary(s => s, s => GeoTiffPatchReader.ReadGeoreference(dataset.FullPath(s)));
    }
}
