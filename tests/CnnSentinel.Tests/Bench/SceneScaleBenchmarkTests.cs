using CnnSentinel.Scenes;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Bench;

/// <summary>The scene-scale bench, run as a user runs it, on scenes small enough for a test: one block, a 4 × 4 grid of windows.</summary>
public class SceneScaleBenchmarkTests
{
    [Fact]
    public void MeasuresNaiveAndDenseRunsAndCountsTheNetworksFlops()
    {
        var output = TestEnvironment.NewTempDirectory("bench-scene-scale");
        try
        {
            var printed = ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "scene-scale",
                "--runs", "128:naive:32", "128:dense:32", "--out", output);
            var report = SceneScaleReport.Read(Path.Combine(output, SceneScaleReport.FileName));
            Assert.Equal(2, report.Runs.Count);
            var naive = report.Runs.Single(r => r.Mode == ClassificationMode.Naive);
            var dense = report.Runs.Single(r => r.Mode == ClassificationMode.Dense);
            // 128 px at stride 32: centres 16, 48, 80, 112 on each axis, all in one block, each window classified once.
            Assert.Equal(16 * report.FlopsPerWindow, naive.Flops);
            Assert.Null(naive.Agreement);
            Assert.NotNull(dense.Agreement);
            Assert.True(dense.Flops > 0);
            Assert.All(report.Runs, r =>
            {
                Assert.True(r.ForwardSeconds > 0 && r.ForwardSeconds < r.ClassifySeconds && r.ClassifySeconds < r.Seconds, printed);
                Assert.True(r.PeakMiB > 100, printed);
            });
            Assert.True(SceneOutputPaths.For(Path.Combine(output, "scene-scale", "maps-128-naive-32"), "synthetic128.tif", false).AllExist);
            Assert.Contains("A full 10980 × 10980 tile, extrapolated", printed);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
