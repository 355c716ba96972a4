using CnnSentinel.Runtime;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A CNN that maps a batch of images (N × bands × H × W, H and W ≥ <see cref="MinimumSize"/>) to
/// class logits (N × classes), built so that its state-dict keys are torchvision's.
/// </summary>
/// <remarks>
/// The builders share this base so that band adaptation (<see cref="MultispectralAdaptation"/>) can
/// rebuild any of them with another band count and find the convolution that reads the bands.
/// Inputs are checked before the forward pass: a wrong band count or a too-small image fails with a
/// message that names the model and the problem instead of a libtorch shape error.
/// </remarks>
public abstract class ImageClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>The smallest height and width the builders accept (five halvings leave one pixel).</summary>
    public const int MinimumSize = 32;

    /// <summary>Creates the module and checks the sizes it is built for.</summary>
    /// <param name="name">The module name (the architecture).</param>
    /// <param name="bands">Input channels (3 for RGB, 13 for EuroSAT MS).</param>
    /// <param name="classes">Output logits; 0 for a feature extractor where the builder supports it.</param>
    protected ImageClassifier(string name, int bands, int classes) : base(name)
    {
        if (bands < 1) throw new ArgumentOutOfRangeException(nameof(bands), bands, $"{name}: the band count must be at least 1.");
        if (classes < 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"{name}: the class count cannot be negative.");
        Bands = bands;
        Classes = classes;
    }

    /// <summary>Input channels the model reads.</summary>
    public int Bands { get; }

    /// <summary>Number of output logits (0: the model returns pooled features).</summary>
    public int Classes { get; }

    /// <summary>
    /// State-dict name of the convolution that reads the input bands (e.g. <c>features.0</c>,
    /// <c>conv1</c>); its weight is <c>{FirstConvolutionName}.weight</c>, shaped out × bands × k × k.
    /// </summary>
    public abstract string FirstConvolutionName { get; }

    /// <summary>State-dict name of the classification head, the layer a new task trains first (e.g. <c>fc</c>, <c>classifier</c>).</summary>
    public abstract string HeadName { get; }

    /// <summary>
    /// The first layer that fine-tuning's second stage trains (everything before it stays frozen): the
    /// original unfroze VGG16 from block2 and DenseNet201 from its first dense block.
    /// </summary>
    public abstract string FineTuneFrom { get; }

    /// <summary>A new, randomly initialised model of the same architecture and classes that reads <paramref name="bands"/> bands.</summary>
    public abstract ImageClassifier WithBands(int bands);

    /// <summary>
    /// The current name of a state-dict key that older checkpoints of this architecture spell otherwise;
    /// <see cref="StateDictFile.LoadInto"/> applies it to every key it loads. Identity unless overridden.
    /// </summary>
    public virtual string CurrentKeyName(string key) => key;

    /// <summary>
    /// The standardisation applied to every input before the network (null: none), e.g. the ImageNet channel
    /// mean that <see cref="Pretrained.ImageNetResNet18.Load"/> sets. Its constants are not in the state dict.
    /// It is per band, so <see cref="WithBands"/>, <see cref="MultispectralAdaptation.ReplaceFirstConvolution"/> and
    /// <see cref="MultispectralAdaptation.InflateFirstConvolution"/> do not carry it over;
    /// <see cref="MultispectralAdaptation.AddBandAdapter"/> keeps it in the backbone, applied to the adapter's output.
    /// </summary>
    internal InputNormalization? InputNormalization { get; private set; }

    /// <summary>Sets (or, with null, removes) <see cref="InputNormalization"/>; the module appears as <c>input_normalization</c>.</summary>
    /// <exception cref="ArgumentException">The normalisation is for another band count.</exception>
    internal void SetInputNormalization(InputNormalization? normalization)
    {
        if (normalization is not null && normalization.Mean.Count != Bands)
            throw new ArgumentException($"{GetName()} reads {Bands} band(s); the normalisation has {normalization.Mean.Count}.", nameof(normalization));
        register_module(InputNormalizationName, null!); // removes the previous one, if any
        if (normalization is not null) register_module(InputNormalizationName, normalization);
        InputNormalization = normalization;
    }

    /// <summary>The module name of <see cref="InputNormalization"/>.</summary>
    internal const string InputNormalizationName = "input_normalization";

    /// <summary>
    /// The preprocessing of this network fed values prepared with <paramref name="input"/>: that stage, then the
    /// network's own normalisation (<see cref="InputNormalization"/>; a band adapter's is its backbone's), as a model file stores it.
    /// </summary>
    public Preprocessing PreprocessingWith(ChannelNormalization input) => new(input, OwnNormalization);

    /// <summary>The standardisation the network applies to its input itself, wherever in it; null for none.</summary>
    protected internal virtual ChannelNormalization? OwnNormalization => InputNormalization?.Normalization;

    /// <summary>Checks the input's shape, applies <see cref="InputNormalization"/>, then runs <see cref="ForwardChecked"/>.</summary>
    /// <exception cref="ArgumentException">The input is not N × <see cref="Bands"/> × H × W with H, W ≥ <see cref="MinimumSize"/>.</exception>
    public sealed override Tensor forward(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"{GetName()} expects a batch shaped N × {Bands} × H × W; got a tensor of shape [{string.Join(", ", input.shape)}].", nameof(input));
        if (input.shape[1] != Bands)
            throw new ArgumentException($"{GetName()} was built for {Bands} band(s) but the input has {input.shape[1]} (shape [{string.Join(", ", input.shape)}]). " +
                "Select the bands the model expects or adapt the model (MultispectralAdaptation).", nameof(input));
        if (input.shape[2] < MinimumSize || input.shape[3] < MinimumSize)
            throw new ArgumentException($"{GetName()} needs images of at least {MinimumSize} × {MinimumSize} pixels; got {input.shape[2]} × {input.shape[3]}.", nameof(input));
        using var scope = NewDisposeScope();
        return ForwardChecked(Prepared(input)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether the network computes in the channels-last layout in bfloat16 on the CPU (<see cref="ChannelsLast"/>; about
    /// 1.3× faster here): only a network each of whose convolution shapes has been checked against float64 on this
    /// libtorch (ResNet18's, in ChannelsLastTests). Its channels-last kernels are not sound everywhere: ResNet50's 1 × 1
    /// convolution from 256 to 1024 channels kills the process with a floating-point exception, in bfloat16 as in float32.
    /// </summary>
    internal virtual bool ComputesChannelsLast => false;

    /// <summary>
    /// The input laid out for the convolutions (channels-last in bfloat16 on the CPU where <see cref="ComputesChannelsLast"/>:
    /// they then run in it) and normalised by <see cref="InputNormalization"/>, if any.
    /// </summary>
    Tensor Prepared(Tensor input)
    {
        var laid = ComputesChannelsLast ? ChannelsLast.ForConvolutions(input) : input;
        return InputNormalization is null ? laid : InputNormalization.call(laid);
    }

    /// <summary>
    /// The forward pass after input normalisation as steps (null: the subclass writes <see cref="ForwardChecked"/> itself,
    /// and the exporters cannot translate it). The library's networks describe themselves here once.
    /// </summary>
    internal virtual NetworkLayout? Layout => null;

    /// <summary>The whole forward pass from the raw input as steps (what the exporters translate): the input normalisation, if any, then the layout's.</summary>
    /// <exception cref="NotSupportedException">The network describes no <see cref="Layout"/>.</exception>
    internal IEnumerable<NamedModule> StepsFromInput()
    {
        var layout = Layout ?? throw new NotSupportedException($"{GetName()} ({GetType().Name}) describes no layout of its forward pass, so it cannot be exported.");
        return InputNormalization is { } normalization ? layout.Steps.Prepend(new(InputNormalizationName, normalization)) : layout.Steps;
    }

    /// <summary>The forward pass proper, on an input whose shape has been checked: the layout's steps unless overridden.</summary>
    protected virtual Tensor ForwardChecked(Tensor input) =>
        (Layout ?? throw new NotSupportedException($"{GetName()} describes no layout; override {nameof(ForwardChecked)}.")).Forward(input);

    /// <summary>
    /// How much <see cref="FeatureMap"/> shrinks each side when the network is <c>head(global average pool(feature map))</c>,
    /// the shape that lets a scene be classified densely (the convolutional part run once over a whole block, the head at
    /// every window position); null for networks built otherwise (e.g. a head that flattens a fixed-size map).
    /// </summary>
    public virtual int? FeatureStride => null;

    /// <summary>
    /// True when a window's feature map is exactly the matching crop of a larger input's (unpadded convolutions): dense
    /// classification then equals classifying every window on its own. Padded networks such as ResNet18 see real
    /// neighbours where a lone window sees zero padding, so dense classification only approximates it.
    /// </summary>
    public virtual bool FeaturesAreShiftEquivariant => false;

    /// <summary>The feature map before global average pooling, [N, C', H / <see cref="FeatureStride"/>, W / <see cref="FeatureStride"/>], of an input of any size (input normalisation applied).</summary>
    /// <exception cref="NotSupportedException">The network is not built as features → global average pooling → head (<see cref="FeatureStride"/> is null).</exception>
    public Tensor FeatureMap(Tensor input)
    {
        if (FeatureStride is null)
            throw new NotSupportedException($"{GetName()} is not built as features → global average pooling → head, so it has no feature map to classify densely; classify its windows one by one.");
        using var scope = NewDisposeScope();
        return FeatureMapChecked(Prepared(input)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The convolutional part with a feature every <paramref name="outputStride"/> pixels, finer than
    /// <see cref="FeatureStride"/> (e.g. 8 px for ResNet18's 32), computed in one pass with the later layers dilated
    /// instead of strided: every <c>FeatureStride / outputStride</c>-th feature is <see cref="FeatureMap"/>'s, and those
    /// between are the map of the input shifted by that many pixels. <see cref="FeatureMap"/> itself at the network's own
    /// stride; null where the layers cannot be rewritten so (DenseNet201's average-pooling transitions) or the stride is not
    /// one the network passes through (12 for ResNet18). Dense scene classification uses it at strides below
    /// <see cref="FeatureStride"/>.
    /// </summary>
    public Func<Tensor, Tensor>? FeatureMapAt(int outputStride)
    {
        if (FeatureStride is not { } native) return null;
        if (outputStride == native) return FeatureMap;
        if (Layout is not { } layout || AtrousFeatures.For(layout.Features, native, outputStride) is not { } rewrite) return null;
        return input =>
        {
            using var scope = NewDisposeScope();
            return rewrite.FeatureMap(Prepared(input)).MoveToOuterDisposeScope();
        };
    }

    /// <summary>Class logits [N, K] of globally average-pooled features [N, C'] (see <see cref="FeatureMap"/>).</summary>
    /// <exception cref="NotSupportedException">The network has no such split (<see cref="FeatureStride"/> is null).</exception>
    public Tensor HeadOfPooled(Tensor pooled) => FeatureStride is null
        ? throw new NotSupportedException($"{GetName()} is not built as features → global average pooling → head.")
        : PooledHead(pooled);

    /// <summary>The convolutional part, on a normalised input: the layout's features unless overridden (only called where <see cref="FeatureStride"/> is set).</summary>
    protected virtual Tensor FeatureMapChecked(Tensor input) =>
        Layout is { } layout ? layout.FeatureMap(input) : throw new NotSupportedException($"{GetName()} has no feature map.");

    /// <summary>The head on pooled features: the layout's head unless overridden (only called where <see cref="FeatureStride"/> is set).</summary>
    protected virtual Tensor PooledHead(Tensor pooled) =>
        Layout is { } layout ? layout.HeadOf(pooled) : throw new NotSupportedException($"{GetName()} has no pooled head.");
}
