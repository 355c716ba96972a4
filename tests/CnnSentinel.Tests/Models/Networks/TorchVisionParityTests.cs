using CnnSentinel.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>The builders, loaded with torchvision's state dicts, give torchvision's logits (eval mode).</summary>
public class TorchVisionParityTests(TorchVisionReference reference, ITestOutputHelper output) : IClassFixture<TorchVisionReference>
{
    const double Tolerance = 1e-4;

    [SkippableTheory]
    [InlineData("vgg16")]
    [InlineData("densenet201")]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void LogitsMatchTorchVision(string network)
    {
        Skip.If(reference.SkipReason is not null, reference.SkipReason);
        using var model = Build(network);
        var comparison = model.LoadWeights(Path.Combine(reference.Folder, $"{network}.pth"), strict: true);
        Assert.True(comparison.IsExact);
        var (difference, largest) = MaxAbsDifference(model, network);
        output.WriteLine($"{network}: max abs difference {difference:E2} (largest |logit| {largest:F3})");
        Assert.InRange(difference, 0, Tolerance);
    }

    [SkippableFact]
    public void SafetensorsWrittenByPythonLoadLikeThePickle()
    {
        Skip.If(reference.SkipReason is not null, reference.SkipReason);
        using var model = ResNet.ResNet18(10);
        model.LoadWeights(Path.Combine(reference.Folder, "resnet18.safetensors"));
        Assert.InRange(MaxAbsDifference(model, "resnet18").Difference, 0, Tolerance);
    }

    [SkippableFact]
    public void Vgg16WithTorchVisionsHeadHasTorchVisionsKeysAndShapes()
    {
        Skip.If(reference.SkipReason is not null, reference.SkipReason);
        using var model = new Vgg16(1000, head: ClassifierHead.TorchVision);
        var expected = reference.TorchVisionVgg16Shapes();
        var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, shape) in expected) Assert.Equal(shape, actual[key]);
    }

    [SkippableFact]
    public void AStateDictSavedHereLoadsStrictlyInTorchVision()
    {
        Skip.If(reference.SkipReason is not null, reference.SkipReason);
        using var model = ResNet.ResNet50(10);
        var path = Path.Combine(reference.Folder, "resnet50-saved-here.pth");
        StateDictFile.Save(model, path);
        var (loaded, message) = reference.LoadsInTorchVision(path, "resnet50");
        Assert.True(loaded, message);
    }

    [SkippableFact]
    public void AStateDictOfAnotherArchitectureIsRejectedWithTheDifferences()
    {
        Skip.If(reference.SkipReason is not null, reference.SkipReason);
        using var model = ResNet.ResNet50(10);
        var path = Path.Combine(reference.Folder, "resnet18.pth");
        var error = Assert.Throws<StateDictMismatchException>(() => model.LoadWeights(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("layer1.0.conv3.weight", error.Message); // missing: ResNet18 has no third convolution
        Assert.Contains("layer1.0.conv1.weight [64×64×1×1] vs [64×64×3×3]", error.Message);
    }

    static ImageClassifier Build(string network) => network switch
    {
        "vgg16" => new Vgg16(10),
        "densenet201" => new DenseNet201(10, head: ClassifierHead.TorchVision),
        "resnet18" => ResNet.ResNet18(10),
        "resnet50" => ResNet.ResNet50(10),
        _ => throw new ArgumentOutOfRangeException(nameof(network), network, null),
    };

    (double Difference, double LargestLogit) MaxAbsDifference(ImageClassifier model, string network)
    {
        var io = StateDictFile.Read(Path.Combine(reference.Folder, $"{network}_io.pth"));
        model.eval();
        using var noGrad = torch.no_grad();
        using var logits = model.call(io["input"]);
        var difference = (logits - io["output"]).abs().max().item<float>();
        var largest = io["output"].abs().max().item<float>();
        foreach (var tensor in io.Values) tensor.Dispose();
        return (difference, largest);
    }
}
