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
    /// The adapter, the backbone's input normalisation and the backbone's layout (names under <c>backbone.</c>);
    /// null when the backbone describes none. The forward pass itself hands the adapter's output to the backbone.
    /// </summary>
    internal override NetworkLayout? Layout => backbone.Layout?.Within(nameof(backbone),
        backbone.InputNormalization is { } normalization
            ? [new(nameof(adapter), adapter), new($"{nameof(backbone)}.{InputNormalizationName}", normalization)]
            : [new(nameof(adapter), adapter)]);

    /// <inheritdoc />
    protected override Tensor ForwardChecked(Tensor input)
    {
        using var scope = NewDisposeScope();
        return backbone.call(adapter.call(input)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override int? FeatureStride => backbone.FeatureStride;

    /// <inheritdoc />
    public override bool FeaturesAreShiftEquivariant => backbone.FeaturesAreShiftEquivariant;

    /// <inheritdoc />
    protected override Tensor FeatureMapChecked(Tensor input)
    {
        using var scope = NewDisposeScope();
        return backbone.FeatureMap(adapter.call(input)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor PooledHead(Tensor pooled) => backbone.HeadOfPooled(pooled);
}
