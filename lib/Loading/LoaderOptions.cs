using CnnSentinel.Transforms;

namespace CnnSentinel.Loading;

/// <summary>Settings of a <see cref="PatchLoader"/>.</summary>
/// <param name="BatchSize">Images per batch (the original: 64).</param>
/// <param name="Shuffle">Shuffle the order every epoch (training); false keeps the given order (evaluation).</param>
/// <param name="Seed">Fixes the shuffles and the augmentations: the same seed gives identical batches.</param>
/// <param name="Augmentation">Random augmentation, or null for none (evaluation).</param>
/// <param name="Normalization">Per-band standardisation; null for the original's constants of the dataset's format.</param>
/// <param name="Labels">Index or one-hot labels.</param>
/// <param name="DropLast">Leave out a last, smaller batch.</param>
/// <param name="Prefetch">Batches prepared ahead, in parallel; 0 for twice the processor count.</param>
/// <param name="CacheDecoded">Keep decoded patches in memory (as uint16: 24 KB per RGB patch, 104 KB per multispectral one) so later epochs skip the files.</param>
/// <param name="Context">Show images among other patches of their batch, for maps (<see cref="ContextMosaic"/>); null for whole patches only.</param>
/// <param name="Radiometric">Change images' values as other processing levels, haze and scalings would, for real scenes (<see cref="RadiometricJitter"/>); null for EuroSAT's values only.</param>
public sealed record LoaderOptions(
    int BatchSize = 64,
    bool Shuffle = true,
    int Seed = 42,
    AugmentationPolicy? Augmentation = null,
    ChannelNormalization? Normalization = null,
    LabelEncoding Labels = LabelEncoding.Index,
    bool DropLast = false,
    int Prefetch = 0,
    bool CacheDecoded = false,
    ContextMosaic? Context = null,
    RadiometricJitter? Radiometric = null)
{
    /// <summary>For training: shuffled, with the original's augmentation.</summary>
    public static LoaderOptions Training { get; } = new(Augmentation: AugmentationPolicy.Original);

    /// <summary>For evaluation: files in the given order, no augmentation.</summary>
    public static LoaderOptions Evaluation { get; } = new(Shuffle: false);
}
