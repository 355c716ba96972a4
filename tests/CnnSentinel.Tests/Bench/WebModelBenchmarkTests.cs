using CnnSentinel.Tests.Export;
using CnnSentinel.Tools;
using Xunit.Abstractions;

namespace CnnSentinel.Tests.Bench;

/// <summary>
/// The web-model bench, run as a user runs it on small inputs (a crop of the bundled scene, a mosaic of two bundled
/// patches per class, stride 32): the three exports of the shipped model map them in the page, and the report holds what
/// the bench claims to measure.
/// </summary>
public class WebModelBenchmarkTests(ITestOutputHelper log)
{
    [SkippableFact]
    public void ComparesThePageModelWithInt8WeightsAloneAndFloat32InThePage()
    {
        MapPageTests.SkipUnlessThePageCanRun();
        var output = TestEnvironment.NewTempDirectory("bench-web-model");
        try
        {
            var crop = TestRasters.SceneCrop(output, 400, 300, 192, 128);
            var printed = ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "web-model",
                "--image", crop, "--data", PatchFixtures.BundledRgb, "--per-class", "2", "--stride", "32", "--out", output);
            log.WriteLine(printed);
            var report = WebModelReport.Read(Path.Combine(output, WebModelReport.FileName));
            Assert.True(report.Page.Bytes < 0.3 * report.Float32.Bytes && report.Int8Weights.Bytes < 0.3 * report.Float32.Bytes, printed);
            Assert.Equal(192, report.SceneWidth);
            Assert.Equal("500 patches of data/eurosat-rgb", report.Calibration);
            // Measured: 99.9 % of the mosaic and 100 % of the crop, for both (24 windows at stride 32: one label that
            // flips would move many pixels; the bench at full scale reports more windows).
            foreach (var side in new[] { report.Page, report.Int8Weights })
                Assert.True(side.MosaicAgreement >= 0.98 && side.SceneAgreement >= 0.95, printed);
            Assert.Equal((1.0, 1.0), (report.Float32.MosaicAgreement, report.Float32.SceneAgreement));
            Assert.Matches(@"^WebAssembly, [1-4] threads?$", report.Backend);
            foreach (var side in new[] { report.Page, report.Int8Weights, report.Float32 })
                Assert.True(new[] { side.SceneSeconds, side.MosaicSeconds, side.MosaicOneThreadSeconds }.All(t => t > 0), printed);
            // The README's table: the page's file beside the other two, against the goal.
            Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| model file | **{report.Page.Bytes / 1e6:0.00} MB** | {report.Int8Weights.Bytes / 1e6:0.00} MB | {report.Float32.Bytes / 1e6:0.00} MB | ≤ 16 MB: met |"), report.Markdown());
            Assert.Contains(", 1 thread (ratio ", printed);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
