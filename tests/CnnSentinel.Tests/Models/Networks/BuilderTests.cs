using CnnSentinel.Models;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>Every builder takes any band count, class count and input size ≥ 32 px, and says clearly what input it wants.</summary>
public class BuilderTests
{
    public static TheoryData<string> Builders => ["SmallCnn", "Vgg16", "Vgg16TorchVisionHead", "DenseNet201", "ResNet18", "ResNet50", "ResNet18MlNet"];

    internal static ImageClassifier Build(string name, int classes, int bands) => name switch
    {
        "SmallCnn" => new SmallCnn(classes, bands),
        "Vgg16" => new Vgg16(classes, bands),
        "Vgg16TorchVisionHead" => new Vgg16(classes, bands, ClassifierHead.TorchVision),
        "DenseNet201" => new DenseNet201(classes, bands),
        "ResNet18" => ResNet.ResNet18(classes, bands),
        "ResNet50" => ResNet.ResNet50(classes, bands),
        "ResNet18MlNet" => ResNet.ResNet18MlNet(classes, bands),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Builders))]
    public void AnyBandsClassesAndSizeFromThirtyTwoPixels(string builder)
    {
        using var model = Build(builder, classes: 7, bands: 13);
        model.eval();
        using var noGrad = torch.no_grad();
        foreach (var (height, width) in new[] { (32, 32), (40, 56) })
        {
            using var logits = model.call(torch.randn(2, 13, height, width));
            Assert.Equal([2L, 7L], logits.shape);
            Assert.False(logits.isnan().any().item<bool>());
        }
        Assert.Equal([13L], model.state_dict()[$"{model.FirstConvolutionName}.weight"].shape.Skip(1).Take(1));
    }

    [Theory]
    [MemberData(nameof(Builders))]
    public void WithBandsRebuildsTheSameArchitecture(string builder)
    {
        using var model = Build(builder, classes: 4, bands: 3);
        using var rebuilt = model.WithBands(13);
        Assert.Equal(13, rebuilt.Bands);
        Assert.Equal(model.Classes, rebuilt.Classes);
        Assert.Equal(model.state_dict().Keys, rebuilt.state_dict().Keys);
    }

    [Fact]
    public void AWrongBandCountIsNamedInTheError()
    {
        using var model = ResNet.ResNet18(10, bands: 3);
        var error = Assert.Throws<ArgumentException>(() => model.call(torch.zeros(1, 13, 64, 64)));
        Assert.Contains("3 band(s)", error.Message);
        Assert.Contains("the input has 13", error.Message);
    }

    [Fact]
    public void ATooSmallOrFlatInputIsNamedInTheError()
    {
        using var model = new SmallCnn(10, bands: 3);
        Assert.Contains("at least 32 × 32", Assert.Throws<ArgumentException>(() => model.call(torch.zeros(1, 3, 16, 64))).Message);
        Assert.Contains("N × 3 × H × W", Assert.Throws<ArgumentException>(() => model.call(torch.zeros(3, 64, 64))).Message);
    }

    [Fact]
    public void AnInputNormalizationIsAppliedFirstAndCanBeRemoved()
    {
        using var model = new SmallCnn(4, bands: 2);
        model.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.randn(1, 2, 32, 32) * 10 + 5;
        using var expected = model.call((input - 5) / 10);
        model.SetInputNormalization(new InputNormalization(new ChannelNormalization([5, 5], [10, 10])));
        Assert.True(model.call(input).allclose(expected, rtol: 1e-5, atol: 1e-6));
        Assert.Throws<ArgumentException>(() => model.SetInputNormalization(new InputNormalization(new ChannelNormalization([0, 0, 0], [1, 1, 1]))));
        model.SetInputNormalization(null);
        Assert.Null(model.InputNormalization);
        Assert.DoesNotContain(model.named_children(), c => c.name == "input_normalization");
    }

    [Fact]
    public void FeatureExtractorsReturnPooledFeatures()
    {
        using var model = ResNet.ResNet50(classes: 0);
        model.eval();
        using var noGrad = torch.no_grad();
        using var features = model.call(torch.zeros(1, 3, 32, 32));
        Assert.Equal([1L, 2048L], features.shape);
        Assert.Equal(2048, model.FeatureChannels);
    }

    [Fact]
    public void TheOriginalHeadsHaveTheOriginalsLayers()
    {
        using var vgg = new Vgg16(10);
        Assert.Equal([2048L, 512L], vgg.state_dict()["classifier.0.weight"].shape);
        Assert.Equal([2048L, 2048L], vgg.state_dict()["classifier.2.weight"].shape);
        Assert.Equal([10L, 2048L], vgg.state_dict()["classifier.4.weight"].shape);
        using var dense = new DenseNet201(10);
        Assert.Equal([2048L, 1920L], dense.state_dict()["classifier.0.weight"].shape);
        Assert.Equal([10L, 2048L], dense.state_dict()["classifier.2.weight"].shape);
    }
}
