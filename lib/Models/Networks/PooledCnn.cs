using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A small network built as <c>features</c> (a convolutional stack) → global average pooling → <c>classifier</c>
/// (the head): the shape that <see cref="SmallCnn"/> and <see cref="SceneCnn"/> share, with the state-dict names,
/// forward pass and feature-map split (<see cref="ImageClassifier.FeatureMap"/>) written once here, as its layout.
/// </summary>
public abstract class PooledCnn : ImageClassifier
{
    NetworkLayout layout = null!;

    /// <summary>Checks the class count; the builder then hands its two parts to <see cref="Build"/>.</summary>
    /// <param name="name">The module name (the architecture).</param>
    /// <param name="bands">Input channels.</param>
    /// <param name="classes">Output logits (at least one: these networks have no feature-extractor form).</param>
    protected PooledCnn(string name, int bands, int classes) : base(name, bands, classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"{name} needs at least one class.");
    }

    /// <summary>
    /// Registers the two parts as <c>features</c> and <c>classifier</c> (state-dict keys <c>features.0.weight</c>, …) and
    /// initialises every weight as torchvision does (seed torch first for reproducible weights).
    /// </summary>
    /// <param name="featureLayers">The convolutional stack; its first layer reads the bands.</param>
    /// <param name="head">What maps pooled features to class logits.</param>
    protected void Build(nn.Module<Tensor, Tensor> featureLayers, nn.Module<Tensor, Tensor> head)
    {
        register_module("features", featureLayers);
        register_module("classifier", head);
        layout = new([new("features", featureLayers)], [new("mean", new GlobalAveragePooling())], [new("classifier", head)]);
        WeightInitialization.ApplyTorchVisionDefaults(this);
    }

    /// <inheritdoc />
    public override string FirstConvolutionName => "features.0";

    /// <inheritdoc />
    public override string HeadName => "classifier";

    /// <inheritdoc />
    public override string FineTuneFrom => FirstConvolutionName;

    /// <inheritdoc />
    public abstract override int? FeatureStride { get; }

    /// <inheritdoc />
    internal override NetworkLayout Layout => layout;
}
