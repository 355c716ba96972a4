using CnnSentinel.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// ResNet with torchvision's module names (<c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>,
/// <c>layer2.0.downsample.0</c>, <c>fc</c>) and a first convolution that reads any number of bands.
/// </summary>
/// <remarks>
/// Written here rather than taken from TorchVision .NET because that one fixes the first convolution at three
/// channels. <see cref="ResNet18"/> and <see cref="ResNet50"/> are torchvision's; <see cref="ResNet18MlNet"/>
/// is the variant of the ImageNet ResNet18 shipped with ML.NET (its layer4 has three blocks), the architecture
/// that <see cref="Pretrained.ImageNetResNet18"/> loads.
/// </remarks>
internal sealed class ResNet : ImageClassifier
{
    /// <summary>Width of the first stage; each later stage doubles it.</summary>
    const int BaseWidth = 64;

    readonly bool bottleneck;
    readonly int[] blocksPerStage;

    readonly nn.Module<Tensor, Tensor> conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly nn.Module<Tensor, Tensor> relu;
    readonly nn.Module<Tensor, Tensor> maxpool;
    readonly nn.Module<Tensor, Tensor> layer1;
    readonly nn.Module<Tensor, Tensor> layer2;
    readonly nn.Module<Tensor, Tensor> layer3;
    readonly nn.Module<Tensor, Tensor> layer4;
    readonly nn.Module<Tensor, Tensor> avgpool;
    readonly nn.Module<Tensor, Tensor>? fc;
    readonly NetworkLayout layout;

    ResNet(string name, bool bottleneck, int[] blocksPerStage, int classes, int bands) : base(name, bands, classes)
    {
        this.bottleneck = bottleneck;
        this.blocksPerStage = blocksPerStage;
        var expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        conv1 = nn.Conv2d(bands, BaseWidth, kernel_size: 7, stride: 2, padding: 3, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(BaseWidth);
        relu = nn.ReLU(inplace: true);
        maxpool = nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        long channels = BaseWidth;
        var stages = new nn.Module<Tensor, Tensor>[4];
        for (var stage = 0; stage < 4; stage++)
        {
            var width = BaseWidth << stage;
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (var i = 0; i < blocksPerStage[stage]; i++)
            {
                var stride = i == 0 && stage > 0 ? 2 : 1;
                blocks.Add(bottleneck ? new Bottleneck(channels, width, stride) : new BasicBlock(channels, width, stride));
                channels = width * expansion;
            }
            stages[stage] = nn.Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        FeatureChannels = (int)channels;
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc = classes > 0 ? nn.Linear(channels, classes) : null;
        RegisterComponents();
        WeightInitialization.ApplyTorchVisionDefaults(this);
        layout = new(
            [new(nameof(conv1), conv1), new(nameof(bn1), bn1), new(nameof(relu), relu), new(nameof(maxpool), maxpool),
             new(nameof(layer1), layer1), new(nameof(layer2), layer2), new(nameof(layer3), layer3), new(nameof(layer4), layer4)],
            [new(nameof(avgpool), avgpool), new("flatten", nn.Flatten())],
            fc is null ? [] : [new(nameof(fc), fc)]);
    }

    /// <summary>torchvision's ResNet18: basic blocks 2-2-2-2, 512 features.</summary>
    /// <param name="classes">Output logits; 0 returns the 512 pooled features (no <c>fc</c>).</param>
    /// <param name="bands">Input channels.</param>
    public static ResNet ResNet18(int classes = EuroSatClasses.Count, int bands = 3) => new(nameof(ResNet18), false, [2, 2, 2, 2], classes, bands);

    /// <summary>torchvision's ResNet50: bottleneck blocks 3-4-6-3, 2048 features.</summary>
    /// <param name="classes">Output logits; 0 returns the 2048 pooled features (no <c>fc</c>).</param>
    /// <param name="bands">Input channels.</param>
    public static ResNet ResNet50(int classes = EuroSatClasses.Count, int bands = 3) => new(nameof(ResNet50), true, [3, 4, 6, 3], classes, bands);

    /// <summary>The ResNet18 of ML.NET's ImageNet featurizer: basic blocks 2-2-2-3, 512 features.</summary>
    /// <param name="classes">Output logits; 0 returns the 512 pooled features (no <c>fc</c>).</param>
    /// <param name="bands">Input channels.</param>
    public static ResNet ResNet18MlNet(int classes = EuroSatClasses.Count, int bands = 3) => new(nameof(ResNet18MlNet), false, [2, 2, 2, 3], classes, bands);

    /// <summary>Channels of the pooled features (512 or 2048).</summary>
    public int FeatureChannels { get; }

    /// <inheritdoc />
    public override string FirstConvolutionName => "conv1";

    /// <inheritdoc />
    public override string HeadName => "fc";

    /// <inheritdoc />
    /// <remarks>The stem and layer1 stay frozen, as VGG16's block1 does in the original.</remarks>
    public override string FineTuneFrom => "layer2";

    /// <inheritdoc />
    public override ImageClassifier WithBands(int bands) => new ResNet(GetName(), bottleneck, blocksPerStage, Classes, bands);

    /// <summary>The shortcut of a block that changes resolution or width (1×1 conv + BN), or null for the identity.</summary>
    internal static nn.Module<Tensor, Tensor>? Shortcut(long inputChannels, long outputChannels, int stride) =>
        stride == 1 && inputChannels == outputChannels
            ? null
            : nn.Sequential(
                nn.Conv2d(inputChannels, outputChannels, kernel_size: 1, stride: stride, bias: false),
                new ScalarSafeBatchNorm2d(outputChannels));

    /// <inheritdoc />
    internal override NetworkLayout Layout => layout;

    /// <inheritdoc />
    /// <remarks>Basic-block ResNets only (ResNet18 and ML.NET's variant): ResNet50's bottleneck 1 × 1 convolutions to 1024
    /// channels crash this libtorch's channels-last kernels.</remarks>
    internal override bool ComputesChannelsLast => !bottleneck;

    /// <summary>The stem's stride-2 convolution and pooling, then three stride-2 stages.</summary>
    public override int? FeatureStride => 32;
}
