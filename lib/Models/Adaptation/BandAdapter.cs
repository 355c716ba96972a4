using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A learnable 1×1 convolution (<c>adapter</c>) that maps the input bands onto the bands a pretrained
/// network reads, in front of that network (<c>backbone</c>): the original CNN-Sentinel's 04 (13 → 3).
/// </summary>
internal sealed class BandAdapter : ImageClassifier
{
    readonly nn.Module<Tensor, Tensor> adapter;
    readonly ImageClassifier backbone;

    /// <summary>Puts a new, randomly initialised <paramref name="bands"/> → <c>backbone.Bands</c> adapter in front of <paramref name="backbone"/> (kept, not copied).</summary>
    public BandAdapter(ImageClassifier backbone, int bands) : base($"{nameof(BandAdapter)}({backbone.GetName()})", bands, backbone.Classes)
    {
        adapter = nn.Conv2d(bands, backbone.Bands, kernel_size: 1);
        this.backbone = backbone;
        RegisterComponents();
    }

    /// <summary>The wrapped network.</summary>
    public ImageClassifier Backbone => backbone;

    /// <inheritdoc />
    public override string FirstConvolutionName => nameof(adapter);

    /// <inheritdoc />
    public override string HeadName => $"{nameof(backbone)}.{backbone.HeadName}";

    /// <inheritdoc />
    public override string FineTuneFrom => $"{nameof(backbone)}.{backbone.FineTuneFrom}";

    /// <inheritdoc />
    protected internal override ChannelNormalization? OwnNormalization => backbone.OwnNormalization;

    /// <inheritdoc />
    public override ImageClassifier WithBands(int bands) => new BandAdapter(backbone.WithBands(backbone.Bands), bands);

    /// <summary>
    /// The adapter, the backbone's input normalisation and the backbone's layout (names under <c>backbone.</c>), which the
    /// forward pass, the feature-map split and the exporters read. A backbone that describes no layout (a network written
    /// outside the library) is one step after the adapter: it runs whole, and has no split the adapter could see.
    /// </summary>
    internal override NetworkLayout Layout => backbone.Layout is { } layout
        ? layout.Within(nameof(backbone), backbone.InputNormalization is { } normalization
            ? [new(nameof(adapter), adapter), new($"{nameof(backbone)}.{InputNormalizationName}", normalization)]
            : [new(nameof(adapter), adapter)])
        : new([new(nameof(adapter), adapter), new(nameof(backbone), backbone)], [], []);

    /// <inheritdoc />
    public override int? FeatureStride => backbone.Layout is null ? null : backbone.FeatureStride;

    /// <inheritdoc />
    public override bool FeaturesAreShiftEquivariant => backbone.FeaturesAreShiftEquivariant;
}
