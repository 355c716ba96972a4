using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// ResNet's bottleneck residual block (torchvision's <c>Bottleneck</c>, "ResNet v1.5": the stride sits on the
/// 3×3 convolution): 1×1 conv to <c>width</c>, 3×3 conv, 1×1 conv to <c>4 × width</c>, each with BN, plus the
/// input or its <c>downsample</c>, then ReLU.
/// </summary>
internal sealed class Bottleneck : ResidualBlock
{
    /// <summary>Output channels per <c>width</c>.</summary>
    public const int Expansion = 4;

    readonly nn.Module<Tensor, Tensor> conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly nn.Module<Tensor, Tensor> conv2;
    readonly nn.Module<Tensor, Tensor> bn2;
    readonly nn.Module<Tensor, Tensor> conv3;
    readonly nn.Module<Tensor, Tensor> bn3;
    readonly nn.Module<Tensor, Tensor> relu;
    readonly nn.Module<Tensor, Tensor>? downsample;
    readonly NamedModule[] residualPath;

    /// <summary>Builds the block.</summary>
    /// <param name="inputChannels">Channels in.</param>
    /// <param name="width">Channels of the inner convolutions; the block outputs <c>4 × width</c>.</param>
    /// <param name="stride">Stride of the 3 × 3 convolution and the shortcut.</param>
    public Bottleneck(long inputChannels, int width, int stride) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inputChannels, width, kernel_size: 1, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(width);
        conv2 = nn.Conv2d(width, width, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn2 = new ScalarSafeBatchNorm2d(width);
        conv3 = nn.Conv2d(width, width * Expansion, kernel_size: 1, bias: false);
        bn3 = new ScalarSafeBatchNorm2d(width * Expansion);
        relu = nn.ReLU(inplace: true);
        downsample = ResNet.Shortcut(inputChannels, width * Expansion, stride);
        RegisterComponents();
        residualPath = [
            new(nameof(conv1), conv1), new(nameof(bn1), bn1), new(nameof(relu), relu),
            new(nameof(conv2), conv2), new(nameof(bn2), bn2), new(nameof(relu), relu),
            new(nameof(conv3), conv3), new(nameof(bn3), bn3),
        ];
    }

    /// <inheritdoc />
    public override IReadOnlyList<NamedModule> ResidualPath => residualPath;

    /// <inheritdoc />
    public override NamedModule? Downsample => downsample is null ? null : new(nameof(downsample), downsample);

    /// <inheritdoc />
    public override NamedModule Activation => new(nameof(relu), relu);
}
