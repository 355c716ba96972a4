using CnnSentinel.Datasets;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Loading;

/// <summary>
/// One batch from a <see cref="PatchLoader"/>: images, labels, and the files they came from, in the same
/// order, so that predictions can be traced back to files. Dispose it (or its tensors) when done.
/// </summary>
/// <param name="Images">Normalised, augmented images, float32 <c>[N, C, 64, 64]</c>.</param>
/// <param name="Labels">Labels as <see cref="LoaderOptions.Labels"/> asks: int64 <c>[N]</c> or float32 <c>[N, classes]</c>.</param>
/// <param name="Samples">The patches, row by row.</param>
/// <param name="Augmentations">What each image got (identity without augmentation).</param>
/// <param name="Epoch">The epoch the batch belongs to.</param>
/// <param name="Index">The batch's position in its epoch.</param>
public sealed record PatchBatch(
    Tensor Images,
    Tensor Labels,
    IReadOnlyList<EuroSatSample> Samples,
    IReadOnlyList<AugmentationChoice> Augmentations,
    int Epoch,
    int Index) : IDisposable
{
    /// <summary>Number of images.</summary>
    public int Count => Samples.Count;

    /// <summary>The relative file paths, row by row.</summary>
    public IReadOnlyList<string> Paths => Samples.Select(s => s.RelativePath).ToList();

    /// <summary>The class indices, row by row.</summary>
    public IReadOnlyList<int> ClassIndices => Samples.Select(s => s.ClassIndex).ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
