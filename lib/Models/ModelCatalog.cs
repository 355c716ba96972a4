using CnnSentinel.Models.Pretrained;

namespace CnnSentinel.Models;

/// <summary>The networks by name, for the command line and for notebooks that pick one from a string.</summary>
public static class ModelCatalog
{
    /// <summary>Architectures that <see cref="Create"/> builds.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["smallcnn", "scenecnn", "resnet18", "resnet18-imagenet", "resnet50", "vgg16", "densenet201"];

    /// <summary>The architecture of the offline ImageNet ResNet18 (<see cref="ResNet.ResNet18MlNet"/>: layer4 has three blocks).</summary>
    public const string PretrainedResNet18Architecture = "resnet18-imagenet";

    /// <summary>A randomly initialised <paramref name="architecture"/> for <paramref name="classes"/> classes reading <paramref name="bands"/> bands.</summary>
    /// <exception cref="UserErrorException">Unknown architecture; the message lists the known ones.</exception>
    public static ImageClassifier Create(string architecture, int classes, int bands) => architecture.ToLowerInvariant() switch
    {
        "smallcnn" => new SmallCnn(classes, bands),
        "scenecnn" => new SceneCnn(classes, bands),
        PretrainedResNet18Architecture => ResNet.ResNet18MlNet(classes, bands),
        "resnet18" => ResNet.ResNet18(classes, bands),
        "resnet50" => ResNet.ResNet50(classes, bands),
        "vgg16" => new Vgg16(classes, bands),
        "densenet201" => new DenseNet201(classes, bands),
        _ => throw new UserErrorException($"Unknown architecture '{architecture}'; choose one of {string.Join(", ", Architectures)}."),
    };

    /// <summary>
    /// The offline ImageNet ResNet18 with a new head for <paramref name="classes"/> classes, adapted to
    /// <paramref name="bands"/> bands by <paramref name="adaptation"/> when they are not 3. It takes values on
    /// the RGB release's 0…255 scale (<c>ChannelNormalization.PretrainedScaleFor</c>).
    /// </summary>
    public static ImageClassifier PretrainedResNet18(int classes, int bands = 3, BandAdaptation adaptation = BandAdaptation.Inflate)
    {
        var rgb = ImageNetResNet18.Load(classes);
        if (bands == 3) return rgb;
        return adaptation switch
        {
            BandAdaptation.Adapter => rgb.AddBandAdapter(bands),
            BandAdaptation.ReplaceFirstConvolution => rgb.ReplaceFirstConvolution(bands),
            _ => rgb.InflateFirstConvolution(bands),
        };
    }
}
