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
    readonly NamedModule[] steps;

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
        steps = [new(nameof(norm1), norm1), new(nameof(relu1), relu1), new(nameof(conv1), conv1), new(nameof(norm2), norm2), new(nameof(relu2), relu2), new(nameof(conv2), conv2)];
    }

    /// <summary>The layer's steps in order; the forward pass and the exporters read them.</summary>
    public IReadOnlyList<NamedModule> Steps => steps;

    /// <summary>The <c>growthRate</c> new feature maps for the concatenation of all earlier ones.</summary>
    public override Tensor forward(Tensor input) => NamedModule.Chain(steps, input);
}
