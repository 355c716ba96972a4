using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Bench;

/// <summary>The scene-scale bench, run as a user runs it, on scenes small enough for a test: one block, a 4 × 4 grid of windows.</summary>
public class SceneScaleBenchmarkTests
{
    [Fact]
    public void MeasuresNaiveAndDenseRunsInEitherPrecisionAndCountsTheNetworksFlops()
    {
        var output = TestEnvironment.NewTempDirectory("bench-scene-scale");
        try
        {
            var printed = ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "scene-scale",
                "--runs", "128:naive:32", "128:dense:32", "128:naive:32:bf16", "--out", output);
            var report = SceneScaleReport.Read(Path.Combine(output, SceneScaleReport.FileName));
            Assert.Equal(3, report.Runs.Count);
            var naive = report.Runs[0];
            var dense = report.Runs.Single(r => r.Mode == ClassificationMode.Dense);
            // 128 px at stride 32: centres 16, 48, 80, 112 on each axis, all in one block, each window classified once.
            Assert.Equal(16 * report.FlopsPerWindow, naive.Flops);
            Assert.Equal(ComputePrecision.Float32, naive.Precision);
            // bf16 where the CPU has it, else float32 with the reason printed; the same windows either way.
            var asked = report.Runs[2];
            Assert.Equal(CpuPrecision.HasBFloat16 ? ComputePrecision.BFloat16 : ComputePrecision.Float32, asked.Precision);
            Assert.True(CpuPrecision.HasBFloat16 || printed.Contains("no bfloat16 instructions"), printed);
            Assert.Equal(naive.Flops, asked.Flops);
            Assert.Null(naive.Agreement);
            Assert.NotNull(dense.Agreement);
            Assert.True(dense.Flops > 0);
            Assert.All(report.Runs, r =>
            {
                Assert.True(r.ForwardSeconds > 0 && r.ForwardSeconds < r.ClassifySeconds && r.ClassifySeconds < r.Seconds, printed);
                Assert.True(r.PeakMiB > 100, printed);
            });
            Assert.True(SceneOutputPaths.For(Path.Combine(output, "scene-scale", "maps-128-naive-32"), "synthetic128.tif", false).AllExist);
            if (CpuPrecision.HasBFloat16)
                Assert.True(SceneOutputPaths.For(Path.Combine(output, "scene-scale", "maps-128-naive-32-bfloat16"), "synthetic128.tif", false).AllExist);
            Assert.Contains("A full 10980 × 10980 tile, extrapolated", printed);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
