using System.Text.Json.Nodes;
using CnnSentinel.Tests.Export;

namespace CnnSentinel.Tests.Bench;

/// <summary>
/// The web-model bench, run as a user runs it on small inputs (a crop of the bundled scene, a mosaic of two bundled
/// patches per class, stride 32): both exports of the shipped model map them in the page, and the report holds what the
/// bench claims to measure.
/// </summary>
public class WebModelBenchmarkTests
{
    [SkippableFact]
    public void ComparesTheInt8AndFloat32ModelsInThePage()
    {
        MapPageTests.SkipUnlessThePageCanRun();
        var output = TestEnvironment.NewTempDirectory("bench-web-model");
        try
        {
            var crop = TestRasters.SceneCrop(output, 400, 300, 192, 128);
            var printed = ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "web-model",
                "--image", crop, "--data", PatchFixtures.BundledRgb, "--per-class", "2", "--stride", "32", "--out", output);
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "web-model.json")))!;
            Assert.True((long)report["int8"]!["bytes"]! < 0.3 * (long)report["float32"]!["bytes"]!, printed);
            Assert.Equal(192, (int)report["sceneWidth"]!);
            // Measured: 99.9 % of the mosaic, 97.5 % of the crop (24 windows at stride 32: one label that flips moves
            // many pixels; the bench at full scale reports more windows).
            Assert.True((double)report["mosaicAgreement"]! >= 0.98 && (double)report["sceneAgreement"]! >= 0.95, printed);
            Assert.Matches(@"^WebAssembly, [1-4] threads?$", (string)report["backend"]!);
            foreach (var side in new[] { "int8", "float32" })
                foreach (var time in new[] { "sceneSeconds", "mosaicSeconds", "mosaicOneThreadSeconds" })
                    Assert.True((double)report[side]![time]! > 0, $"{side} {time}: {printed}");
            Assert.Contains(", 1 thread (ratio ", printed);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
