using CnnSentinel.Datasets;
using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Transforms;

namespace CnnSentinel.Training;

/// <summary>
/// A EuroSAT folder ready for training: the dataset, its seeded split (the original's 70/30 per class),
/// and loaders for the training side (shuffled, augmented) and the validation side (in order, plain).
/// </summary>
/// <param name="Dataset">The EuroSAT folder.</param>
/// <param name="Split">Which file is on which side.</param>
/// <param name="Train">Training batches: shuffled, with the original's augmentation.</param>
/// <param name="Validation">Validation batches: in order, no augmentation.</param>
public sealed record EuroSatTrainingData(EuroSatDataset Dataset, SplitManifest Split, PatchLoader Train, PatchLoader Validation)
{
    /// <summary>Opens <paramref name="folder"/>, splits it and builds both loaders.</summary>
    /// <param name="folder">A EuroSAT folder (RGB JPEG or 13-band GeoTIFF, one folder per class).</param>
    /// <param name="normalizationFor">Per-band scaling for the folder's format, e.g. <c>ChannelNormalization.PretrainedScaleFor</c>; the original's constants (<c>OriginalFor</c>) when null.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="seed">Seed of the split, the shuffles and the augmentation.</param>
    /// <param name="validationFraction">Share of each class that goes to validation.</param>
    /// <param name="augmentation">Augmentation of the training side; the original's (<see cref="AugmentationPolicy.Original"/>) when null.</param>
    /// <param name="cacheDecoded">Keep decoded patches in memory, so epochs after the first skip the files.</param>
    /// <param name="context">Training images shown among other patches, for maps (<see cref="ContextMosaic"/>); null for whole patches only.</param>
    /// <param name="radiometric">Training images changed as other processing levels, haze and scalings would, for real scenes (<see cref="RadiometricJitter"/>); null for none.</param>
    public static EuroSatTrainingData Open(string folder, Func<PatchFormat, ChannelNormalization>? normalizationFor = null, int batchSize = 32,
        int seed = StratifiedRandomSplit.DefaultSeed, double validationFraction = StratifiedRandomSplit.DefaultValidationFraction,
        AugmentationPolicy? augmentation = null, bool cacheDecoded = false, ContextMosaic? context = null, RadiometricJitter? radiometric = null) =>
        For(EuroSatDataset.Open(folder), normalizationFor, batchSize, seed, validationFraction, augmentation, cacheDecoded, context, radiometric);

    /// <summary>Splits an opened <paramref name="dataset"/> and builds both loaders, as <see cref="Open"/> does for a folder.</summary>
    /// <param name="dataset">An opened EuroSAT folder (e.g. already checked for damaged patches).</param>
    /// <param name="normalizationFor">Per-band scaling for the folder's format, e.g. <c>ChannelNormalization.PretrainedScaleFor</c>; the original's constants (<c>OriginalFor</c>) when null.</param>
    /// <param name="batchSize">Images per batch; at most the training images: a larger one is cut to their number, so that the
    /// batch a run records (<c>Train.Options.BatchSize</c>) is the one it trained with.</param>
    /// <param name="seed">Seed of the split, the shuffles and the augmentation.</param>
    /// <param name="validationFraction">Share of each class that goes to validation.</param>
    /// <param name="augmentation">Augmentation of the training side; the original's (<see cref="AugmentationPolicy.Original"/>) when null.</param>
    /// <param name="cacheDecoded">Keep decoded patches in memory, so epochs after the first skip the files.</param>
    /// <param name="context">Training images shown among other patches, for maps (<see cref="ContextMosaic"/>); null for whole patches only.</param>
    /// <param name="radiometric">Training images changed as other processing levels, haze and scalings would, for real scenes (<see cref="RadiometricJitter"/>); null for none.</param>
    public static EuroSatTrainingData For(EuroSatDataset dataset, Func<PatchFormat, ChannelNormalization>? normalizationFor = null, int batchSize = 32,
        int seed = StratifiedRandomSplit.DefaultSeed, double validationFraction = StratifiedRandomSplit.DefaultValidationFraction,
        AugmentationPolicy? augmentation = null, bool cacheDecoded = false, ContextMosaic? context = null, RadiometricJitter? radiometric = null)
    {
        var split = StratifiedRandomSplit.Create(dataset, validationFraction, seed);
        var normalization = (normalizationFor ?? ChannelNormalization.OriginalFor)(dataset.Format);
        if (split.Train.Count > 0) batchSize = Math.Min(batchSize, split.Train.Count);
        return new EuroSatTrainingData(dataset, split,
            new PatchLoader(dataset, split.Train, LoaderOptions.Training with
            {
                BatchSize = batchSize, Normalization = normalization, Seed = seed, CacheDecoded = cacheDecoded,
                Augmentation = augmentation ?? AugmentationPolicy.Original, Context = context, Radiometric = radiometric,
            }),
            new PatchLoader(dataset, split.Validation, LoaderOptions.Evaluation with { BatchSize = batchSize, Normalization = normalization, CacheDecoded = cacheDecoded }));
    }

    /// <summary>
    /// The description of <paramref name="network"/> trained on these data, for its model file: the data's bands and classes,
    /// the network's preprocessing with the loaders' normalisation as its input stage (<see cref="ImageClassifier.PreprocessingWith"/>),
    /// EuroSAT's patch size.
    /// </summary>
    /// <param name="architecture">The network's <see cref="ModelCatalog"/> name (e.g. <see cref="ModelCatalog.PretrainedResNet18Architecture"/>).</param>
    /// <param name="network">The trained network.</param>
    /// <param name="adaptation">How a pretrained RGB network was adapted to these bands; null otherwise.</param>
    /// <param name="training">How it was trained; null when not recorded.</param>
    public ModelDescription Describe(string architecture, ImageClassifier network, BandAdaptation? adaptation = null, TrainingProvenance? training = null) =>
        new(architecture, adaptation, Dataset.BandNames, Dataset.Classes, network.PreprocessingWith(Train.Options.Normalization!), EuroSatDataset.PatchSize, training);

    /// <summary>
    /// Which files and split these are (<see cref="DataIdentity.Of"/>). Two runs with the same identity and seed trained
    /// and validated on the same images.
    /// </summary>
    public DataIdentity Identity() => DataIdentity.Of(Dataset, Split);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Dataset.Root}: {Dataset.Format}, {Dataset.BandCount} bands, {Dataset.Classes.Count} classes, {Split.Train.Count} training and {Split.Validation.Count} validation images";
}
