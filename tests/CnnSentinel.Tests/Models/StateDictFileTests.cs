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
        Assert.True(loaded.LoadWeights(path).IsExact);
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
