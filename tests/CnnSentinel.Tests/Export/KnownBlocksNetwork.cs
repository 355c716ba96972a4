using CnnSentinel.Datasets;
using CnnSentinel.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Export;

/// <summary>
/// An architecture the ONNX exporter has no code for, built from the library's blocks and described only by its
/// layout: a strided stem, a residual block with a downsampling shortcut, a bottleneck block with the identity
/// shortcut, a dense block, a DenseNet transition (average pooling), adaptive pooling, flatten and a linear head.
/// </summary>
sealed class KnownBlocksNetwork : ImageClassifier
{
    readonly nn.Module<Tensor, Tensor> stem;
    readonly nn.Module<Tensor, Tensor> residual;
    readonly nn.Module<Tensor, Tensor> bottleneck;
    readonly nn.Module<Tensor, Tensor> dense;
    readonly nn.Module<Tensor, Tensor> transition;
    readonly nn.Module<Tensor, Tensor> avgpool;
    readonly nn.Module<Tensor, Tensor> fc;
    readonly NetworkLayout layout;

    public KnownBlocksNetwork(int bands = 3) : base(nameof(KnownBlocksNetwork), bands, EuroSatClasses.Count)
    {
        stem = nn.Sequential(nn.Conv2d(bands, 16, 3, stride: 2, padding: 1, bias: false), new ScalarSafeBatchNorm2d(16), nn.ReLU());
        residual = new BasicBlock(16, 32, stride: 2);
        bottleneck = new Bottleneck(32, 8, stride: 1);
        dense = new DenseBlock(2, 32, growthRate: 8, bottleneckWidth: 2);
        transition = nn.Sequential(new ScalarSafeBatchNorm2d(48), nn.ReLU(), nn.Conv2d(48, 24, 1, bias: false), nn.AvgPool2d(2, 2));
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(24, EuroSatClasses.Count);
        RegisterComponents();
        layout = new(
            [new(nameof(stem), stem), new(nameof(residual), residual), new(nameof(bottleneck), bottleneck), new(nameof(dense), dense), new(nameof(transition), transition)],
            [new(nameof(avgpool), avgpool), new("flatten", nn.Flatten())],
            [new(nameof(fc), fc)]);
    }

    internal override NetworkLayout Layout => layout;

    public override string FirstConvolutionName => "stem.0";

    public override string HeadName => nameof(fc);

    public override string FineTuneFrom => nameof(residual);

    public override ImageClassifier WithBands(int bands) => new KnownBlocksNetwork(bands);

    public override int? FeatureStride => 8;
}
