using System.Text.Json.Nodes;

namespace CnnSentinel.Tests.Bench;

/// <summary>
/// The map-accuracy bench, run as a user runs it, on the bundled sample with the shipped model: a mosaic of the sample's
/// patches on the model's validation side (the committed manifest), classified by <c>cnnsentinel classify</c> in its own
/// process, scored against the truth.
/// </summary>
public class MapAccuracyBenchmarkTests
{
    // Measured with classify's default for the shipped ResNet (naive windows, stride 8), 11 patches per class, seed 42:
    // centre 0.9364, majority 0.8455. At stride 8 the centre pixel takes the window 4 pixels off the patch, so the centre
    // figure is below the model's patch accuracy. Margins below what was measured; to be raised once dense mode with
    // interpolated probabilities is classify's default (issue 12's goal: 0.97 and 0.90).
    const double MinimumCentre = 0.90;
    const double MinimumMajority = 0.80;

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
            Assert.Equal("resnet18-imagenet_rgb_fast.sample-split.csv", (string)report["split"]!);
            Assert.Equal(10 * PerClass, (int)accuracy["cells"]!);
            Assert.True((double)accuracy["centre"]! >= MinimumCentre, printed);
            Assert.True((double)accuracy["majority"]! >= MinimumMajority, printed);
            Assert.True(File.Exists(Path.Combine(output, "maps", "mosaic_classes.tif")));
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
