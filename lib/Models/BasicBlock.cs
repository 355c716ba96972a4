using CnnSentinel.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// ResNet's two-convolution residual block (torchvision's <c>BasicBlock</c>, same names): 3×3 conv (stride on
/// the first) + BN + ReLU, 3×3 conv + BN, plus the input or its <c>downsample</c> (1×1 conv + BN), then ReLU.
/// </summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>width</c>.</summary>
    public const int Expansion = 1;

    readonly nn.Module<Tensor, Tensor> conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly nn.Module<Tensor, Tensor> relu;
    readonly nn.Module<Tensor, Tensor> conv2;
    readonly nn.Module<Tensor, Tensor> bn2;
    readonly nn.Module<Tensor, Tensor>? downsample;

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
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var residual = relu.call(bn1.call(conv1.call(input)));
        residual = bn2.call(conv2.call(residual));
        var shortcut = downsample is null ? input : downsample.call(input);
        return relu.call(residual.add_(shortcut, HeldScalars.One)).MoveToOuterDisposeScope();
    }
}
