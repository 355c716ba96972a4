using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// One DenseNet layer (torchvision's <c>_DenseLayer</c>, same names): BN-ReLU-1×1 conv to
/// <c>bottleneckWidth × growthRate</c> channels, BN-ReLU-3×3 conv to <c>growthRate</c> new feature maps.
/// </summary>
internal sealed class DenseLayer : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> norm1;
    readonly nn.Module<Tensor, Tensor> relu1;
    readonly nn.Module<Tensor, Tensor> conv1;
    readonly nn.Module<Tensor, Tensor> norm2;
    readonly nn.Module<Tensor, Tensor> relu2;
    readonly nn.Module<Tensor, Tensor> conv2;

    /// <summary>Builds the layer.</summary>
    /// <param name="inputChannels">Channels of the concatenated earlier feature maps.</param>
    /// <param name="growthRate">New feature maps this layer adds.</param>
    /// <param name="bottleneckWidth">Multiplier of the 1 × 1 bottleneck (torchvision's <c>bn_size</c>).</param>
    public DenseLayer(long inputChannels, int growthRate, int bottleneckWidth) : base(nameof(DenseLayer))
    {
        norm1 = new ScalarSafeBatchNorm2d(inputChannels);
        relu1 = nn.ReLU(inplace: true);
        conv1 = nn.Conv2d(inputChannels, bottleneckWidth * growthRate, kernel_size: 1, bias: false);
        norm2 = new ScalarSafeBatchNorm2d(bottleneckWidth * growthRate);
        relu2 = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(bottleneckWidth * growthRate, growthRate, kernel_size: 3, padding: 1, bias: false);
        RegisterComponents();
    }

    /// <summary>The <c>growthRate</c> new feature maps for the concatenation of all earlier ones.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var bottleneck = conv1.call(relu1.call(norm1.call(input)));
        return conv2.call(relu2.call(norm2.call(bottleneck))).MoveToOuterDisposeScope();
    }
}
