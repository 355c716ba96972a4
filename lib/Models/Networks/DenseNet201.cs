using System.Text.RegularExpressions;
using CnnSentinel.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// DenseNet201 (growth rate 32, blocks 6-12-48-32, 64 stem channels, bottleneck 4) with torchvision's module
/// names (<c>features.conv0</c>, <c>features.denseblock1.denselayer1.norm1</c>, <c>features.transition1.conv</c>,
/// <c>features.norm5</c>, <c>classifier</c>); TorchVision .NET has no DenseNet. Any number of input bands.
/// </summary>
/// <remarks>
/// Keras' DenseNet201 layer 7 is the first layer of the first dense block, so the original's "unfreeze from
/// layer 7" is <c>model.UnfreezeFrom("features.denseblock1")</c>: only the stem (conv0, norm0) stays frozen.
/// </remarks>
internal sealed class DenseNet201 : ImageClassifier
{
    const int GrowthRate = 32;
    const int StemChannels = 64;
    const int BottleneckWidth = 4;
    static readonly int[] BlockLayers = [6, 12, 48, 32];

    /// <summary>Channels of the pooled features (the input of the classifier).</summary>
    public const int FeatureChannels = 1920;

    readonly nn.Module<Tensor, Tensor> features;
    readonly nn.Module<Tensor, Tensor> classifier;
    readonly NetworkLayout layout;

    /// <summary>Builds a randomly initialised DenseNet201.</summary>
    /// <param name="classes">Output logits.</param>
    /// <param name="bands">Input channels.</param>
    /// <param name="head">The original's head (default: Dense 2048 ReLU → Dense classes) or torchvision's single linear layer.</param>
    public DenseNet201(int classes = EuroSatClasses.Count, int bands = 3, ClassifierHead head = ClassifierHead.Original) : base(nameof(DenseNet201), bands, classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "DenseNet201 needs at least one class.");
        Head = head;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv0", nn.Conv2d(bands, StemChannels, kernel_size: 7, stride: 2, padding: 3, bias: false)),
            ("norm0", new ScalarSafeBatchNorm2d(StemChannels)),
            ("relu0", nn.ReLU(inplace: true)),
            ("pool0", nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1)),
        };
        long channels = StemChannels;
        for (var i = 0; i < BlockLayers.Length; i++)
        {
            layers.Add(($"denseblock{i + 1}", new DenseBlock(BlockLayers[i], channels, GrowthRate, BottleneckWidth)));
            channels = DenseBlock.OutputChannels(BlockLayers[i], channels, GrowthRate);
            if (i == BlockLayers.Length - 1) break;
            layers.Add(($"transition{i + 1}", nn.Sequential(
                ("norm", new ScalarSafeBatchNorm2d(channels)),
                ("relu", nn.ReLU(inplace: true)),
                ("conv", nn.Conv2d(channels, channels / 2, kernel_size: 1, bias: false)),
                ("pool", nn.AvgPool2d(kernel_size: 2, stride: 2)))));
            channels /= 2;
        }
        layers.Add(("norm5", new ScalarSafeBatchNorm2d(channels)));
        features = nn.Sequential(layers);
        classifier = head == ClassifierHead.Original
            ? nn.Sequential(nn.Linear(FeatureChannels, 2048), nn.ReLU(inplace: true), nn.Linear(2048, classes))
            : nn.Linear(FeatureChannels, classes);
        RegisterComponents();
        WeightInitialization.ApplyTorchVisionDefaults(this);
        // torchvision applies the last ReLU and the pooling in its forward pass, not as modules.
        layout = new([new(nameof(features), features), new("relu", nn.ReLU())],
            [new("avgpool", nn.AdaptiveAvgPool2d(1)), new("flatten", nn.Flatten())],
            [new(nameof(classifier), classifier)]);
    }

    /// <summary>
    /// torchvision's published DenseNet weights (e.g. densenet201-c1103571.pth) predate its module names and spell
    /// <c>denselayer1.norm1.weight</c> as <c>denselayer1.norm.1.weight</c>; torchvision renames them on load, and so does this.
    /// </summary>
    static readonly Regex LegacyLayerKey = new(@"^(.*denselayer\d+\.(?:norm|relu|conv))\.([12]\.(?:weight|bias|running_mean|running_var))$", RegexOptions.Compiled);

    /// <summary>The classifier on top of the features.</summary>
    public ClassifierHead Head { get; }

    /// <inheritdoc />
    public override string FirstConvolutionName => "features.conv0";

    /// <inheritdoc />
    public override string HeadName => "classifier";

    /// <inheritdoc />
    public override string FineTuneFrom => "features.denseblock1";

    /// <inheritdoc />
    public override string CurrentKeyName(string key) => LegacyLayerKey.Replace(key, "$1$2");

    /// <inheritdoc />
    public override ImageClassifier WithBands(int bands) => new DenseNet201(Classes, bands, Head);

    /// <inheritdoc />
    internal override NetworkLayout Layout => layout;

    /// <summary>The stem's convolution and pooling, then three transitions, each halving the size.</summary>
    public override int? FeatureStride => 32;
}
