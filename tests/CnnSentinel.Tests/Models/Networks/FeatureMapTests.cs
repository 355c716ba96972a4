using CnnSentinel.Models;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>The split that dense scene classification uses is the network's own forward pass, not a second description of it.</summary>
public class FeatureMapTests
{
    public static TheoryData<string> Networks => new() { "resnet18", "densenet201", "vgg16", "scenecnn", "smallcnn", "adapter", "normalised" };

    static ImageClassifier Build(string name)
    {
        torch.manual_seed(5);
        return name switch
        {
            "resnet18" => ResNet.ResNet18(classes: 10, bands: 3),
            "densenet201" => new DenseNet201(10, 3),
            "vgg16" => new Vgg16(10, 3),
            "scenecnn" => new SceneCnn(10, 3),
            "smallcnn" => new SmallCnn(10, 3),
            "adapter" => new BandAdapter(ResNet.ResNet18(classes: 10, bands: 3), 13),
            _ => WithNormalisation(ResNet.ResNet18(classes: 10, bands: 3)),
        };
    }

    static ImageClassifier WithNormalisation(ImageClassifier network)
    {
        network.SetInputNormalization(new InputNormalization(new ChannelNormalization([0.4, 0.5, 0.6], [0.2, 0.25, 0.3])));
        return network;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void HeadOfPooledFeaturesIsTheForwardPass(string name)
    {
        using var network = Build(name);
        network.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.rand(2, network.Bands, 64, 64);
        using var expected = network.call(input);
        using var features = network.FeatureMap(input);
        // Padded networks shrink by exactly their stride; the unpadded scene CNN loses its border too.
        if (name is not ("scenecnn" or "smallcnn")) Assert.Equal(64 / network.FeatureStride!.Value, (int)features.shape[3]);
        using var actual = network.HeadOfPooled(features.mean([2, 3]));
        Assert.True(expected.allclose(actual, rtol: 1e-4, atol: 1e-5), $"{name}: largest difference {(expected - actual).abs().max().item<float>()}");
    }

    [Fact]
    public void ANetworkThatFlattensAFixedMapHasNoSplit()
    {
        using var network = new FlatHead();
        Assert.Null(network.FeatureStride);
        var error = Assert.Throws<NotSupportedException>(() => network.FeatureMap(torch.zeros(1, 3, 64, 64)));
        Assert.Contains(nameof(FlatHead), error.Message);
        Assert.Throws<NotSupportedException>(() => network.HeadOfPooled(torch.zeros(1, 3)));
    }

    /// <summary>A head that flattens the whole input (as torchvision's VGG16 head flattens a 7 × 7 map): no global pooling to split at.</summary>
    internal sealed class FlatHead : ImageClassifier
    {
        readonly nn.Module<Tensor, Tensor> fc = nn.Linear(3 * 64 * 64, 10);

        public FlatHead() : base(nameof(FlatHead), 3, 10) => RegisterComponents();

        public override string FirstConvolutionName => "fc";

        public override string HeadName => "fc";

        public override string FineTuneFrom => "fc";

        public override ImageClassifier WithBands(int bands) => new FlatHead();

        protected override Tensor ForwardChecked(Tensor input) => fc.call(input.flatten(1));
    }
}
