using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// ResNet's two-convolution residual block (torchvision's <c>BasicBlock</c>, same names): 3×3 conv (stride on
/// the first) + BN + ReLU, 3×3 conv + BN, plus the input or its <c>downsample</c> (1×1 conv + BN), then ReLU.
/// </summary>
internal sealed class BasicBlock : ResidualBlock
{
    /// <summary>Output channels per <c>width</c>.</summary>
    public const int Expansion = 1;

    readonly nn.Module<Tensor, Tensor> conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly nn.Module<Tensor, Tensor> relu;
    readonly nn.Module<Tensor, Tensor> conv2;
    readonly nn.Module<Tensor, Tensor> bn2;
    readonly nn.Module<Tensor, Tensor>? downsample;
    readonly NamedModule[] residualPath;

    /// <summary>Builds the block.</summary>
    /// <param name="inputChannels">Channels in.</param>
    /// <param name="width">Channels out.</param>
    /// <param name="stride">Stride of the first convolution and the shortcut.</param>
    public BasicBlock(long inputChannels, int width, int stride) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inputChannels, width, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(width);
        relu = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(width, width, kernel_size: 3, padding: 1, bias: false);
        bn2 = new ScalarSafeBatchNorm2d(width);
        downsample = ResNet.Shortcut(inputChannels, width * Expansion, stride);
        RegisterComponents();
        residualPath = [new(nameof(conv1), conv1), new(nameof(bn1), bn1), new(nameof(relu), relu), new(nameof(conv2), conv2), new(nameof(bn2), bn2)];
    }

    /// <inheritdoc />
    public override IReadOnlyList<NamedModule> ResidualPath => residualPath;

    /// <inheritdoc />
    public override NamedModule? Downsample => downsample is null ? null : new(nameof(downsample), downsample);

    /// <inheritdoc />
    public override NamedModule Activation => new(nameof(relu), relu);
}
