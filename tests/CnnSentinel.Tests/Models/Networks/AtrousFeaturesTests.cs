using CnnSentinel.Models;
using CnnSentinel.Transforms;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>
/// The feature map at a finer step (<see cref="ImageClassifier.FeatureMapAt"/>, dense classification's one-pass map): what
/// torchvision computes with the same layers dilated, and on its coarse lattice exactly the network's own map.
/// </summary>
public class AtrousFeaturesTests(TorchVisionReference reference, ITestOutputHelper output) : IClassFixture<TorchVisionReference>
{
    [SkippableTheory]
    [InlineData("resnet18", 16)]
    [InlineData("resnet18", 8)]
    [InlineData("resnet50", 16)]
    [InlineData("resnet50", 8)]
    public void TheMapIsTorchVisionsWithTheLaterStagesDilated(string network, int outputStride)
    {
        Skip.If(reference.SkipReason is not null, reference.SkipReason);
        using var model = network == "resnet18" ? ResNet.ResNet18(10) : ResNet.ResNet50(10);
        model.LoadWeights(Path.Combine(reference.Folder, $"{network}.pth"), strict: true);
        model.eval();
        var io = StateDictFile.Read(Path.Combine(reference.Folder, $"{network}_atrous.pth"));
        using var noGrad = torch.no_grad();
        using var actual = model.FeatureMapAt(outputStride)!(io["input"]);
        var expected = io[$"stride{outputStride}"];
        Assert.Equal(expected.shape, actual.shape);
        var difference = (actual - expected).abs().max().item<float>();
        output.WriteLine($"{network} at {outputStride} px: max abs difference {difference:E2} (largest {expected.abs().max().item<float>():F3})");
        Assert.InRange(difference, 0, 1e-4);
        foreach (var tensor in io.Values) tensor.Dispose();
    }

    public static TheoryData<string, int> Lattices => new()
    {
        { "resnet18", 16 }, { "resnet18", 8 }, { "resnet18", 4 }, { "resnet18", 1 },
        { "adapter", 8 }, { "normalised", 8 }, { "vgg16", 8 },
    };

    [Theory]
    [MemberData(nameof(Lattices))]
    public void EveryFewCellsAreTheNetworksOwnMapZeroPaddingIncluded(string name, int outputStride)
    {
        using var network = Build(name);
        network.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.rand(1, network.Bands, 96, 128);
        using var own = network.FeatureMap(input);
        using var fine = network.FeatureMapAt(outputStride)!(input);
        int every = network.FeatureStride!.Value / outputStride;
        Assert.True(fine.shape[2] >= (own.shape[2] - 1) * every + 1 && fine.shape[3] >= (own.shape[3] - 1) * every + 1,
            $"{name}: a map of [{string.Join(", ", fine.shape)}] at {outputStride} px does not cover [{string.Join(", ", own.shape)}]");
        using var lattice = fine[.., .., TensorIndex.Slice(0, null, every), TensorIndex.Slice(0, null, every)]
            .narrow(2, 0, own.shape[2]).narrow(3, 0, own.shape[3]);
        Assert.True(own.allclose(lattice, rtol: 1e-4, atol: 1e-5), $"{name}: largest difference {(own - lattice).abs().max().item<float>()}");
        // The cells between are a map of their own, not copies of the lattice's.
        using var between = fine[.., .., TensorIndex.Slice(1, null, every), TensorIndex.Slice(1, null, every)];
        if (every > 1) Assert.False(between.narrow(2, 0, own.shape[2] - 1).narrow(3, 0, own.shape[3] - 1)
            .allclose(own.narrow(2, 0, own.shape[2] - 1).narrow(3, 0, own.shape[3] - 1), rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void InBFloat16ChannelsLastTheMapIsFloat32sWithinRounding()
    {
        // The dilated convolutions run channels-last in bfloat16 (ResNet18 computes so): a shape the conv theory of
        // ChannelsLastTests does not cover, held here to float32 as bfloat16's 8 significant bits allow.
        using var network = Build("resnet18");
        network.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.rand(1, 3, 160, 160);
        using var float32 = network.FeatureMapAt(8)!(input);
        network.to(ScalarType.BFloat16);
        using var reduced = network.FeatureMapAt(8)!(input.to_type(ScalarType.BFloat16)).to_type(ScalarType.Float32);
        double error = (reduced - float32).abs().max().item<float>(), largest = float32.abs().max().item<float>();
        output.WriteLine($"bfloat16 against float32 at 8 px: max abs difference {error:F4} (largest {largest:F3})");
        Assert.True(error <= 0.05 * largest, $"off by {error} (largest {largest})");
    }

    [Fact]
    public void AtTheNetworksOwnStrideItIsTheFeatureMap()
    {
        using var network = ResNet.ResNet18(10);
        network.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.rand(1, 3, 64, 64);
        Assert.True(network.FeatureMap(input).eq(network.FeatureMapAt(32)!(input)).all().item<bool>());
    }

    [Fact]
    public void NetworksAndStridesItCannotRewriteGetNone()
    {
        using var resnet = ResNet.ResNet18(10);
        Assert.Null(resnet.FeatureMapAt(12)); // not a step the network passes through
        Assert.Null(resnet.FeatureMapAt(64)); // coarser than the network's own
        using var densenet = new DenseNet201(10, 3);
        Assert.Null(densenet.FeatureMapAt(8)); // its transitions pool by averaging, which has no dilated form
        using var flat = new FeatureMapTests.FlatHead();
        Assert.Null(flat.FeatureMapAt(8));
    }

    static ImageClassifier Build(string name)
    {
        torch.manual_seed(11);
        switch (name)
        {
            case "resnet18": return ResNet.ResNet18(classes: 10, bands: 3);
            case "vgg16": return new Vgg16(10, 3);
            case "adapter": return new BandAdapter(ResNet.ResNet18(classes: 10, bands: 3), 13);
            default:
                var network = ResNet.ResNet18(classes: 10, bands: 3);
                network.SetInputNormalization(new InputNormalization(new ChannelNormalization([0.4, 0.5, 0.6], [0.2, 0.25, 0.3])));
                return network;
        }
    }
}
