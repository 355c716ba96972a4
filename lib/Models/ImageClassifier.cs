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

    /// <summary>A new, randomly initialised model of the same architecture and classes that reads <paramref name="bands"/> bands.</summary>
    public abstract ImageClassifier WithBands(int bands);

    /// <summary>
    /// The current name of a state-dict key that older checkpoints of this architecture spell otherwise;
    /// <see cref="StateDictFile.LoadInto"/> applies it to every key it loads. Identity unless overridden.
    /// </summary>
    public virtual string CurrentKeyName(string key) => key;

    /// <summary>Checks the input's shape, then runs <see cref="ForwardChecked"/>.</summary>
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
        return ForwardChecked(input);
    }

    /// <summary>The forward pass proper, on an input whose shape has been checked.</summary>
    protected abstract Tensor ForwardChecked(Tensor input);
}
