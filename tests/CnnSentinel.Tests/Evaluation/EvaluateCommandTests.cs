using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Models;
using CnnSentinel.Tests.Models;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Evaluation;

public class EvaluateCommandTests
{
    static (int Code, string Stdout, string Stderr) Evaluate(params string[] arguments) =>
        ExternalTools.Capture("dotnet", [ExternalTools.Cli, "evaluate", .. arguments]);

    /// <summary>A model file whose network answers AnnualCrop (class 0) for every image: its figures can be worked out by hand.</summary>
    static string AlwaysAnnualCrop(string dir, int bands = 3)
    {
        using var model = new SmallCnn(10, bands);
        using (no_grad())
        {
            var state = model.state_dict();
            state["classifier.1.weight"].zero_();
            state["classifier.1.bias"].copy_(tensor(new float[] { 5, 0, 0, 0, 0, 0, 0, 0, 0, 0 }));
        }
        var path = Path.Combine(dir, "always-annualcrop.safetensors");
        ModelFile.Save(model, path, ModelFileTests.Describe(model, "smallcnn",
            bands == 3 ? ModelFileTests.RgbBands : SentinelBands.Names));
        return path;
    }

    [Fact]
    public void PrintsFiguresThatCanBeWorkedOutByHand()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var data = PatchFixtures.RgbFolder(Path.Combine(dir, "data"), [.. EuroSatClasses.Names], perClass: 2);
        var model = AlwaysAnnualCrop(dir);
        var json = Path.Combine(dir, "report.json");

        var (code, stdout, stderr) = Evaluate("--model", model, "--data", data, "--json", json, "--tta", "false");
        Assert.True(code == 0, stderr);
        var lines = stdout.TrimEnd().Split('\n');
        // 20 images, all called AnnualCrop: 2 right; kappa 0 (no better than chance); AnnualCrop precision 2/20, recall 1, F1 2·0.1·1/1.1.
        Assert.Equal("overall accuracy 0.1000, kappa 0.0000 on 20 images", lines[^1]);
        var perClass = lines.TakeWhile(l => !l.StartsWith("confusion")).ToList();
        Assert.Matches(@"^AnnualCrop\s+0\.1000\s+1\.0000\s+0\.1818\s+2$", perClass.Single(l => l.StartsWith("AnnualCrop ")).TrimEnd());
        Assert.Matches(@"^Forest\s+NaN\s+0\.0000\s+NaN\s+2$", perClass.Single(l => l.StartsWith("Forest ")).TrimEnd());
        Assert.Matches(@"^Forest\s+2(\s+0){9}$", lines.SkipWhile(l => !l.StartsWith("confusion")).Single(l => l.StartsWith("Forest ")).TrimEnd());
        var report = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(0.1, (double)report["overallAccuracy"]!, 9);
        Assert.Equal(20, (int)report["samples"]!);
    }

    [Fact]
    public void EvaluatesOneSideOfASplitManifest()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var data = PatchFixtures.RgbFolder(Path.Combine(dir, "data"), [.. EuroSatClasses.Names], perClass: 4);
        var manifest = Path.Combine(dir, "split.csv");
        StratifiedRandomSplit.Create(EuroSatDataset.Open(data), 0.25, 42).Write(manifest);
        var (code, stdout, stderr) = Evaluate("--model", AlwaysAnnualCrop(dir), "--data", data, "--split", manifest, "--side", "Validation");
        Assert.True(code == 0, stderr);
        Assert.EndsWith("overall accuracy 0.1000, kappa 0.0000 on 10 images", stdout.TrimEnd());
    }

    [Fact]
    public void RefusesDataWithOtherBandsNamingBoth()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var data = PatchFixtures.RgbFolder(Path.Combine(dir, "data"), [.. EuroSatClasses.Names], perClass: 1);
        var (code, _, stderr) = Evaluate("--model", AlwaysAnnualCrop(dir, bands: 13), "--data", data);
        Assert.Equal(1, code);
        Assert.Contains("evaluate:", stderr);
        Assert.Contains("B01, B02, B03", stderr);
        Assert.Contains("has R, G, B", stderr);
    }

    [Fact]
    public void ABareStateDictGetsAClearMessage()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var data = PatchFixtures.RgbFolder(Path.Combine(dir, "data"), [.. EuroSatClasses.Names], perClass: 1);
        var bare = Path.Combine(dir, "bare.safetensors");
        using (var model = new SmallCnn(10, 3)) StateDictFile.Save(model, bare);
        var (code, _, stderr) = Evaluate("--model", bare, "--data", data);
        Assert.Equal(1, code);
        Assert.Contains($"{bare} holds weights but no model description", stderr);
    }

    /// <summary>The shipped model on the bundled sample in bfloat16: the float32 accuracy within a point (measured: equal).</summary>
    [Fact]
    public void EvaluatesInBFloat16WhenAsked()
    {
        var dir = TestEnvironment.NewTempDirectory();
        try
        {
            double Accuracy(string precision, out string printed)
            {
                var json = Path.Combine(dir, $"{precision}.json");
                var (code, stdout, stderr) = Evaluate("--model", ProjectPaths.ShippedRgbModel, "--data", PatchFixtures.BundledRgb, "--tta", "false", "--json", json, "--precision", precision);
                Assert.True(code == 0, stdout + stderr);
                printed = stdout;
                return (double)JsonNode.Parse(File.ReadAllText(json))!["overallAccuracy"]!;
            }
            var float32 = Accuracy("float32", out _);
            var bfloat16 = Accuracy("bf16", out var printed);
            Assert.Contains(CnnSentinel.Runtime.CpuPrecision.HasBFloat16 ? "evaluate: in bfloat16" : "no bfloat16 instructions", printed);
            Assert.True(Math.Abs(float32 - bfloat16) <= 0.01, $"float32 {float32}, bfloat16 {bfloat16}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
