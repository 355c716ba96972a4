using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A DenseNet block (torchvision's <c>_DenseBlock</c>): layers <c>denselayer1</c> … <c>denselayerN</c>, each
/// reading the concatenation of the block input and all earlier layers' outputs.
/// </summary>
internal sealed class DenseBlock : nn.Module<Tensor, Tensor>
{
    readonly List<NamedModule> layers = [];

    /// <summary>Builds a block of <paramref name="layerCount"/> layers.</summary>
    public DenseBlock(int layerCount, long inputChannels, int growthRate, int bottleneckWidth) : base(nameof(DenseBlock))
    {
        for (var i = 0; i < layerCount; i++)
        {
            var layer = new NamedModule($"denselayer{i + 1}", new DenseLayer(inputChannels + i * growthRate, growthRate, bottleneckWidth));
            layers.Add(layer);
            register_module(layer.Name, layer.Module);
        }
    }

    /// <summary>The layers in order, each reading the concatenation of the block input and the earlier layers' outputs.</summary>
    public IReadOnlyList<NamedModule> Layers => layers;

    /// <summary>Channels out of the block for <paramref name="inputChannels"/> in.</summary>
    public static long OutputChannels(int layerCount, long inputChannels, int growthRate) => inputChannels + layerCount * growthRate;

    /// <summary>The block input concatenated with every layer's new feature maps.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var maps = new List<Tensor> { input };
        foreach (var layer in layers) maps.Add(layer.Module.call(torch.cat(maps, 1)));
        return torch.cat(maps, 1).MoveToOuterDisposeScope();
    }
}
