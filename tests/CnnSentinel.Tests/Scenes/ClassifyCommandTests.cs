using CnnSentinel.Scenes;

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
        var model = TestRasters.SceneCnnWeights(dir, seed: 42);
        var outDir = Path.Combine(dir, "maps");

        var first = Classify(crop, "--model", model, "--out", outDir, "--stride", "2");
        Assert.True(first.Code == 0, first.Output);
        Assert.Matches(@"block 1/1 · 0\.00 of 0\.00 Mpx \(100 %\) · [0-9.]+ Mpx/s · done in 0:0\d", first.Output); // the progress line kept at the end
        var outputs = SceneOutputPaths.For(outDir, crop, allProbabilities: false);
        Assert.True(outputs.AllExist, first.Output);
        var written = File.GetLastWriteTimeUtc(outputs.Classes);

        var second = Classify(crop, "--model", model, "--out", outDir, "--stride", "2");
        Assert.Equal(0, second.Code);
        Assert.Contains("skipped", second.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(outputs.Classes));
        Assert.True(File.Exists(outputs.Run));

        // Another stride is another map: classified again, and the record says why.
        var otherStride = Classify(crop, "--model", model, "--out", outDir, "--stride", "4");
        Assert.True(otherStride.Code == 0, otherStride.Output);
        Assert.Contains("stride changed", otherStride.Output);
        Assert.Equal("4", SceneRunRecord.Read(outputs.Run)!.Settings["stride"]);

        // Another scene with the same file name (Sentinel-2 folders all hold IMG_DATA/…) is not written over the first one.
        var otherDir = Directory.CreateDirectory(Path.Combine(dir, "other")).FullName;
        var otherCrop = Path.Combine(otherDir, Path.GetFileName(crop));
        File.Move(TestRasters.SceneCrop(otherDir, 140, 120, 64, 48), otherCrop);
        var sameName = Classify(otherCrop, "--model", model, "--out", outDir, "--stride", "4");
        Assert.Equal(1, sameName.Code);
        Assert.Contains($"is the map of {crop}, not of {otherCrop}", sameName.Output);
        Assert.Contains("--force", sameName.Output);
        var forced = Classify(otherCrop, "--model", model, "--out", outDir, "--stride", "4", "--force");
        Assert.True(forced.Code == 0, forced.Output);
        Assert.Equal(otherCrop, SceneRunRecord.Read(outputs.Run)!.Settings[SceneRunRecord.InputKey]);

        var threads = Classify(crop, "--model", model, "--out", outDir, "--threads", "100000");
        Assert.Equal(1, threads.Code);
        Assert.Contains("--threads 100000: give 1 to", threads.Output);

        var wrongModel = Classify(crop, "--model", crop, "--out", outDir, "--force");
        Assert.Equal(1, wrongModel.Code);
        Assert.Contains($"{crop} cannot be read as a PyTorch state dict", wrongModel.Output);
        var missing = Classify(Path.Combine(dir, "nothing.tif"), "--model", model, "--out", outDir);
        Assert.Equal(1, missing.Code);
        Assert.Contains("nothing.tif", missing.Output);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }
}
