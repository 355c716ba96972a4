using CnnSentinel.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>State dicts load strictly and report what does not fit; damaged files fail with their name.</summary>
public class StateDictFileTests(TemporaryFolder folder) : IClassFixture<TemporaryFolder>
{
    [Theory]
    [InlineData("weights.safetensors")]
    [InlineData("weights.pth")]
    public void ARoundTripGivesTheSameOutputs(string fileName)
    {
        var path = folder.NewPath(fileName);
        using var original = new SmallCnn(5, bands: 4);
        StateDictFile.Save(original, path);
        using var loaded = new SmallCnn(5, bands: 4);
        Assert.True(loaded.LoadWeights(path, strict: true).IsExact);
        original.eval();
        loaded.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.randn(2, 4, 32, 32);
        Assert.True(original.call(input).allclose(loaded.call(input), rtol: 0, atol: 0));
    }

    [Fact]
    public void AStateDictOfAnotherArchitectureIsRejectedAndNothingIsCopied()
    {
        var path = folder.NewPath("small.safetensors");
        using (var small = new SmallCnn(10)) StateDictFile.Save(small, path);
        using var model = ResNet.ResNet18(10);
        var before = model.state_dict()["conv1.weight"].clone();
        var error = Assert.Throws<StateDictMismatchException>(() => model.LoadWeights(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("missing (in the model, not in the file): conv1.weight", error.Message);
        Assert.Contains("unexpected (in the file, not in the model): features.0.weight", error.Message);
        Assert.True(model.state_dict()["conv1.weight"].allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void NotStrictCopiesWhatFitsAndReportsTheRest()
    {
        var path = folder.NewPath("ten-classes.safetensors");
        using var source = ResNet.ResNet18(10);
        StateDictFile.Save(source, path);
        using var model = ResNet.ResNet18(5);
        var comparison = model.LoadWeights(path, strict: false);
        Assert.Equal(["fc.weight", "fc.bias"], comparison.Mismatched.Select(m => m.Key).Order().Reverse());
        Assert.Empty(comparison.Missing);
        Assert.True(model.state_dict()["layer4.1.conv2.weight"].allclose(source.state_dict()["layer4.1.conv2.weight"], rtol: 0, atol: 0));
        Assert.Contains("fc.weight [5×512] vs [10×512]", comparison.Describe());
    }

    [Fact]
    public void TorchVisionsLegacyDenseNetKeysAreRenamedAsTorchVisionDoes()
    {
        using var source = new DenseNet201(10, head: ClassifierHead.TorchVision);
        var legacy = source.state_dict() // as published: old layer names, no num_batches_tracked
            .Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .ToDictionary(kv => System.Text.RegularExpressions.Regex.Replace(kv.Key, @"(denselayer\d+\.(norm|conv))([12])\.", "$1.$3."), kv => kv.Value);
        Assert.Contains("features.denseblock3.denselayer48.norm.2.running_var", legacy.Keys);
        using var model = new DenseNet201(10, head: ClassifierHead.TorchVision);
        Assert.True(StateDictFile.LoadInto(model, legacy).IsExact);
        Assert.True(model.state_dict()["features.denseblock3.denselayer48.conv2.weight"]
            .allclose(source.state_dict()["features.denseblock3.denselayer48.conv2.weight"], rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData("weights.safetensors")]
    [InlineData("weights.pth")]
    public void ATruncatedFileIsReportedByName(string fileName)
    {
        var path = folder.NewPath(fileName);
        using (var model = new SmallCnn(10)) StateDictFile.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.StartsWith(path, error.Message);
    }

    [Fact]
    public void AFileThatIsNoStateDictIsReportedByName()
    {
        var path = folder.NewPath("notes.pth");
        File.WriteAllText(path, "not a checkpoint");
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.StartsWith(path, error.Message);
        Assert.Throws<FileNotFoundException>(() => StateDictFile.Read(path + ".missing"));
    }
}
