using CnnSentinel.Models;
using CnnSentinel.Scenes;
using TorchSharp;

namespace CnnSentinel.Tests.Scenes;

public class ClassifyCommandTests
{
    static (int Code, string Output) Classify(params string[] arguments)
    {
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "classify", .. arguments]);
        return (code, stdout + stderr);
    }

    [Fact]
    public void ClassifiesOnceThenSkipsAndReportsBadInputClearly()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 100, 100, 64, 48);
        var model = Path.Combine(dir, "scene_cnn.safetensors");
        torch.manual_seed(42);
        StateDictFile.Save(new SceneCnn(classes: 10, bands: 3), model);
        var outDir = Path.Combine(dir, "maps");

        var first = Classify(crop, "--model", model, "--out", outDir, "--stride", "2");
        Assert.True(first.Code == 0, first.Output);
        var outputs = SceneOutputPaths.For(outDir, crop, allProbabilities: false);
        Assert.True(outputs.AllExist, first.Output);
        var written = File.GetLastWriteTimeUtc(outputs.Classes);

        var second = Classify(crop, "--model", model, "--out", outDir);
        Assert.Equal(0, second.Code);
        Assert.Contains("skipped", second.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(outputs.Classes));

        var wrongModel = Classify(crop, "--model", crop, "--out", outDir, "--force");
        Assert.Equal(1, wrongModel.Code);
        Assert.Contains($"{crop} cannot be read as a PyTorch state dict", wrongModel.Output);
        var missing = Classify(Path.Combine(dir, "nothing.tif"), "--model", model, "--out", outDir);
        Assert.Equal(1, missing.Code);
        Assert.Contains("nothing.tif", missing.Output);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }
}
