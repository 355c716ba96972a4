using System.Text.Json.Nodes;

namespace CnnSentinel.Tests.Bench;

/// <summary>
/// The map-accuracy bench, run as a user runs it, on the bundled sample with the shipped model: a mosaic of the sample's
/// patches on the model's validation side (the committed manifest), classified by <c>cnnsentinel classify</c>'s job
/// (<c>SceneJob</c>), scored against the truth.
/// </summary>
public class MapAccuracyBenchmarkTests
{
    // Measured with classify's default for the shipped ResNet (naive windows at stride 16, probabilities interpolated
    // between centres, every pixel given its class), 11 patches per class, seed 42: centre 0.9455, majority 0.9545 (the
    // fast model it continues, trained on whole patches only: 0.8727 and 0.7818). One tile is 0.9 points; the margins
    // leave five tiles for arithmetic that rounds differently elsewhere.
    const double MinimumCentre = 0.90;
    const double MinimumMajority = 0.90;

    // The fewest validation-side patches of any class in the bundled sample (Industrial, Pasture): every class as often.
    const int PerClass = 11;

    [Fact]
    public void ShippedModelMapsTheBundledValidationPatchesAboveTheMargins()
    {
        var output = TestEnvironment.NewTempDirectory("bench-map-accuracy");
        try
        {
            var printed = ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "map-accuracy",
                "--data", PatchFixtures.BundledRgb, "--per-class", $"{PerClass}", "--out", output);
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "map-accuracy.json")))!;
            var accuracy = report["accuracy"]!;
            Assert.Equal("resnet18-imagenet_rgb_fast-continued-context-radiometric.sample-split.csv", (string)report["split"]!);
            Assert.Equal(10 * PerClass, (int)accuracy["cells"]!);
            Assert.True((double)accuracy["centre"]! >= MinimumCentre, printed);
            Assert.True((double)accuracy["majority"]! >= MinimumMajority, printed);
            Assert.True(File.Exists(Path.Combine(output, "maps", "mosaic_classes.tif")));
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
