using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// The network stage of a model's <see cref="Preprocessing"/> (<see cref="Preprocessing.Network"/>) as a module, to put
/// in front of a network that expects its inputs prepared in a fixed way (e.g. the ImageNet ResNet18's, <see cref="Pretrained.ImageNetResNet18.Normalization"/>).
/// It computes exactly <see cref="ChannelNormalization.Apply(Tensor)"/>; its constants are not part of the state dict, so the
/// network's state-dict keys stay torchvision's.
/// </summary>
sealed class InputNormalization : nn.Module<Tensor, Tensor>
{
    /// <summary>The module applying <paramref name="normalization"/>.</summary>
    public InputNormalization(ChannelNormalization normalization) : base(nameof(InputNormalization))
    {
        Normalization = normalization;
        var (mean, std) = normalization.ToFloats();
        (Mean, Std) = (mean, std);
    }

    /// <summary>The standardisation applied.</summary>
    public ChannelNormalization Normalization { get; }

    /// <summary>The per-band means subtracted, in single precision as applied.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>The per-band standard deviations divided by, in single precision as applied.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>Standardises a batch shaped N × bands × H × W.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != Mean.Count)
            throw new ArgumentException($"{nameof(InputNormalization)} expects N × {Mean.Count} × H × W; got [{string.Join(", ", input.shape)}].", nameof(input));
        return Normalization.Apply(input);
    }
}
