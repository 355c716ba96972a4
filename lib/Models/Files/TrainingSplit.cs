using CnnSentinel.Datasets;

namespace CnnSentinel.Models;

/// <summary>
/// The train/validation split of a saved model, made again from its description. <c>train</c> splits per class with
/// <see cref="StratifiedRandomSplit"/>, seeded, and records the seed, the share held out and the identity of its folder
/// (<see cref="DataIdentity"/>) in the model file; the same folder then gives the same sides. Measuring a model on
/// patches it was trained on overstates it, so whatever scores a model on patches finds its validation side here, or
/// is given a manifest.
/// </summary>
internal static class TrainingSplit
{
    /// <summary>Reproduces the split the model described by <paramref name="description"/> was trained with, on <paramref name="dataset"/>.</summary>
    /// <param name="description">The model's description (<see cref="ModelFile.ReadDescription"/>).</param>
    /// <param name="dataset">The folder it was trained on.</param>
    /// <exception cref="InvalidDataException">
    /// The description records no training data, or <paramref name="dataset"/> is not the folder the model was trained on
    /// (another file count or path digest), or the split comes out with other sizes than recorded. The message says to pass
    /// a split manifest instead.
    /// </exception>
    public static SplitManifest Reproduce(ModelDescription description, EuroSatDataset dataset)
    {
        var training = description.Training
            ?? throw new InvalidDataException($"The {description.Architecture} model records no training data, so its validation side cannot be made again; pass a split manifest.");
        var recorded = training.Data;
        var split = StratifiedRandomSplit.Create(dataset, recorded.ValidationFraction, training.Seed);
        var found = DataIdentity.Of(dataset, split);
        if (found.Files != recorded.Files || found.Digest != recorded.Digest)
            throw new InvalidDataException($"{dataset.Root} holds {found.Files} patch files (path digest {found.Digest[..16]}), but the model was trained on " +
                $"'{recorded.Folder}' with {recorded.Files} (digest {recorded.Digest[..16]}): which of these patches it never saw cannot be told from the folder. " +
                "Use the folder it was trained on, or pass a split manifest whose validation side the model did not train on.");
        if (found.TrainingImages != recorded.TrainingImages || found.ValidationImages != recorded.ValidationImages)
            throw new InvalidDataException($"{dataset.Root}: seed {training.Seed} and validation share {recorded.ValidationFraction} give {found.TrainingImages} training and " +
                $"{found.ValidationImages} validation patches, but the model records {recorded.TrainingImages} and {recorded.ValidationImages}; pass its split manifest.");
        return split;
    }

    /// <summary>
    /// The rows of <paramref name="split"/> for the patches of <paramref name="subset"/>, a folder holding some of the split's
    /// files (e.g. the bundled sample of the full copy): the side each of its patches was on.
    /// </summary>
    /// <exception cref="InvalidDataException">A patch of <paramref name="subset"/> is not in the split, or in another class; the message names it.</exception>
    public static SplitManifest Restrict(SplitManifest split, EuroSatDataset subset)
    {
        var sides = split.Entries.ToDictionary(e => e.Sample.RelativePath, StringComparer.Ordinal);
        return new SplitManifest(subset.Samples.Select(s => sides.TryGetValue(s.RelativePath, out var entry) && entry.Sample.ClassName == s.ClassName
            ? new SplitEntry(s, entry.Split)
            : throw new InvalidDataException($"{subset.Root}: '{s.RelativePath}' is not a patch of the split's folder, so its side is unknown.")));
    }
}
