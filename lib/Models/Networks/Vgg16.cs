using CnnSentinel.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// VGG16 (configuration D, no batch norm) with torchvision's module names: <c>features.0</c> …
/// <c>features.30</c>, <c>avgpool</c>, <c>classifier.N</c>. The first convolution reads any number of bands.
/// </summary>
/// <remarks>
/// Keras' block <i>k</i> starts at these feature indices: block1 0, block2 5, block3 10, block4 17,
/// block5 24. The original unfreezes from block2, i.e. <c>model.UnfreezeFrom("features.5")</c>.
/// </remarks>
internal sealed class Vgg16 : ImageClassifier
{
    /// <summary>Output channels per convolution; 0 marks a 2 × 2 max pooling.</summary>
    static readonly int[] Configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];

    readonly nn.Module<Tensor, Tensor> features;
    readonly nn.Module<Tensor, Tensor> avgpool;
    readonly nn.Module<Tensor, Tensor> classifier;
    readonly NetworkLayout layout;

    /// <summary>Builds a randomly initialised VGG16.</summary>
    /// <param name="classes">Output logits.</param>
    /// <param name="bands">Input channels.</param>
    /// <param name="head">The original's head (default) or torchvision's.</param>
    public Vgg16(int classes = EuroSatClasses.Count, int bands = 3, ClassifierHead head = ClassifierHead.Original) : base(nameof(Vgg16), bands, classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "VGG16 needs at least one class.");
        Head = head;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var channels = bands;
        foreach (var width in Configuration)
        {
            if (width == 0)
            {
                layers.Add((layers.Count.ToString(), nn.MaxPool2d(kernel_size: 2, stride: 2)));
                continue;
            }
            layers.Add((layers.Count.ToString(), nn.Conv2d(channels, width, kernel_size: 3, padding: 1)));
            layers.Add((layers.Count.ToString(), nn.ReLU(inplace: true)));
            channels = width;
        }
        features = nn.Sequential(layers);
        (avgpool, classifier) = head == ClassifierHead.Original
            ? (nn.AdaptiveAvgPool2d(1), nn.Sequential(
                nn.Linear(512, 2048), nn.ReLU(inplace: true),
                nn.Linear(2048, 2048), nn.ReLU(inplace: true),
                nn.Linear(2048, classes)))
            : (nn.AdaptiveAvgPool2d(7), nn.Sequential(
                nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace: true), nn.Dropout(0.5),
                nn.Linear(4096, 4096), nn.ReLU(inplace: true), nn.Dropout(0.5),
                nn.Linear(4096, classes)));
        RegisterComponents();
        WeightInitialization.ApplyTorchVisionDefaults(this);
        layout = new([new(nameof(features), features)], [new(nameof(avgpool), avgpool), new("flatten", nn.Flatten())], [new(nameof(classifier), classifier)]);
    }

    /// <summary>The classifier on top of the features.</summary>
    public ClassifierHead Head { get; }

    /// <inheritdoc />
    public override string FirstConvolutionName => "features.0";

    /// <inheritdoc />
    public override string HeadName => "classifier";

    /// <inheritdoc />
    public override string FineTuneFrom => "features.5";

    /// <inheritdoc />
    public override ImageClassifier WithBands(int bands) => new Vgg16(Classes, bands, Head);

    /// <inheritdoc />
    internal override NetworkLayout Layout => layout;

    /// <summary>32 (five 2×2 poolings) with the original's global-average-pooling head; none with torchvision's 7×7 head, which flattens a fixed-size map.</summary>
    public override int? FeatureStride => Head == ClassifierHead.Original ? 32 : null;
}
