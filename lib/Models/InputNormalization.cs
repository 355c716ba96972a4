using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// Per-band standardisation <c>(x − mean) / std</c> as a module, to put in front of a network that expects
/// its inputs prepared in a fixed way (e.g. <see cref="Pretrained.ImageNetResNet18.Normalization"/>).
/// Its constants are not part of the state dict, so the network's state-dict keys stay torchvision's.
/// </summary>
public sealed class InputNormalization : nn.Module<Tensor, Tensor>
{
    readonly Tensor mean;
    readonly Tensor std;

    /// <summary>Creates the module for one mean and one standard deviation per band.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or a deviation is not positive.</exception>
    public InputNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std) : base(nameof(InputNormalization))
    {
        if (mean.Count != std.Count) throw new ArgumentException($"{mean.Count} means but {std.Count} standard deviations.", nameof(std));
        if (std.Any(s => !(s > 0))) throw new ArgumentException("Every standard deviation must be positive.", nameof(std));
        float[] means = [.. mean], deviations = [.. std];
        (Mean, Std) = (means, deviations);
        // The module owns its constants: a dispose scope open where it is built must not free them.
        this.mean = torch.tensor(means).reshape(1, -1, 1, 1).DetachFromDisposeScope();
        this.std = torch.tensor(deviations).reshape(1, -1, 1, 1).DetachFromDisposeScope();
        register_buffer(nameof(mean), this.mean, persistent: false);
        register_buffer(nameof(std), this.std, persistent: false);
    }

    /// <summary>The per-band means subtracted.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>The per-band standard deviations divided by.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>Standardises a batch shaped N × bands × H × W.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != Mean.Count)
            throw new ArgumentException($"{nameof(InputNormalization)} expects N × {Mean.Count} × H × W; got [{string.Join(", ", input.shape)}].", nameof(input));
        return (input - mean).div_(std);
    }
}
