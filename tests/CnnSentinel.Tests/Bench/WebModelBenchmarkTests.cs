using CnnSentinel.Tests.Export;
using CnnSentinel.Tools;

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
            var report = WebModelReport.Read(Path.Combine(output, WebModelReport.FileName));
            Assert.True(report.Int8.Bytes < 0.3 * report.Float32.Bytes, printed);
            Assert.Equal(192, report.SceneWidth);
            // Measured: 99.9 % of the mosaic, 97.5 % of the crop (24 windows at stride 32: one label that flips moves
            // many pixels; the bench at full scale reports more windows).
            Assert.True(report.MosaicAgreement >= 0.98 && report.SceneAgreement >= 0.95, printed);
            Assert.Matches(@"^WebAssembly, [1-4] threads?$", report.Backend);
            foreach (var side in new[] { report.Int8, report.Float32 })
                Assert.True(new[] { side.SceneSeconds, side.MosaicSeconds, side.MosaicOneThreadSeconds }.All(t => t > 0), printed);
            // The README's table: the int8 file beside the float32 one, against the goal.
            Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| model file | **{report.Int8.Bytes / 1e6:0.00} MB** | {report.Float32.Bytes / 1e6:0.00} MB | ≤ 16 MB: met |"), report.Markdown());
            Assert.Contains(", 1 thread (ratio ", printed);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
