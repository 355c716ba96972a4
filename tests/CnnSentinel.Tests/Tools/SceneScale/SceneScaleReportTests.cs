using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class SceneScaleReportTests
{
    static SceneScaleRun Run(int size, ClassificationMode mode, int stride, double seconds, double peakMiB, ComputePrecision precision = ComputePrecision.Float32) =>
        new(size, mode, stride, seconds, seconds * 0.9, seconds * 0.6, seconds * 0.05, 1_000_000_000L * size / 1000, peakMiB, mode == ClassificationMode.Dense ? 0.8 : null, precision);

    [Fact]
    public void AFullTileScalesTimeWithThePixelsAndAddsGdalsCacheToTheHighestPeak()
    {
        var report = new SceneScaleReport("net", "machine", 64, 400_000_000, 512, 256,
        [
            Run(500, ClassificationMode.Naive, 32, 1, 900),
            Run(1000, ClassificationMode.Naive, 32, 10, 1000),
            Run(2000, ClassificationMode.Naive, 32, 40, 1300),
            Run(1000, ClassificationMode.Dense, 8, 5, 3900),
            Run(2000, ClassificationMode.Dense, 8, 20, 1400),
        ]);
        var tile = (double)SceneScaleReport.FullTile * SceneScaleReport.FullTile;
        var extrapolated = report.Extrapolate();
        var naive = extrapolated.Single(e => e.Mode == ClassificationMode.Naive);
        Assert.Equal(2000, naive.FromSize);
        Assert.Equal(40 * tile / 4e6, naive.Seconds, 6);
        Assert.Equal(1300 + 256, naive.PeakMiB, 6);
        Assert.Equal(2e9 * tile / 4e6, naive.Flops, 0);
        // The highest peak, even where a smaller scene had it (noise, or a block of another shape).
        Assert.Equal(3900 + 256, extrapolated.Single(e => e.Mode == ClassificationMode.Dense).PeakMiB, 6);

        var markdown = report.Markdown();
        Assert.Contains("| naive | 32 | 2000² | 20.1 min | ≤ 5 min: **missed** | 1,556 MiB: met |", markdown);
        Assert.Contains("| dense | 8 | 2000² | 10.0 min | ≤ 30 min: met | 4,156 MiB: **missed** |", markdown);
        Assert.Contains("| 2000² | dense | 8 | 20.0 s | 200,000 | 1,400 MiB | 12.0 s (60 %) | 1.0 s (5 %) | 2.0 s (10 %) | 5.0 s (25 %) | 0.2 | 80.0 % |", markdown);
        Assert.Contains("network alone at 0.8 GFLOP/s (best here) |", markdown); // 500² naive: 0.5 GFLOP in 0.6 s
    }

    /// <summary>
    /// Runs in bfloat16 are extrapolated apart from float32 ones of the same mode and stride and named so; at stride 8
    /// naive windows are also held to issue 26's 10 minutes; the least time of the network alone uses the best rate of
    /// its own number format.
    /// </summary>
    [Fact]
    public void BFloat16RunsAreATileOfTheirOwnAgainstTheTenMinuteGoal()
    {
        var report = new SceneScaleReport("net", "machine", 64, 400_000_000, 512, 256,
        [
            Run(1000, ClassificationMode.Naive, 8, 20, 1000),
            Run(1000, ClassificationMode.Naive, 8, 4, 900, ComputePrecision.BFloat16),
        ]);
        var extrapolated = report.Extrapolate();
        Assert.Equal(2, extrapolated.Count);
        var tile = (double)SceneScaleReport.FullTile * SceneScaleReport.FullTile / 1e6;
        Assert.Equal(4 * tile, extrapolated.Single(e => e.Precision == ComputePrecision.BFloat16).Seconds, 6);
        Assert.Equal(20 * tile, extrapolated.Single(e => e.Precision == ComputePrecision.Float32).Seconds, 6);

        var markdown = report.Markdown();
        Assert.Contains("| 1000² | naive, bf16 | 8 | 4.0 s | 250,000 | 900 MiB |", markdown);
        Assert.Contains("| naive | 8 | 1000² | 40.2 min | ≤ 30 min: **missed**; ≤ 10 min: **missed** |", markdown);
        Assert.Contains("| naive, bf16 | 8 | 1000² | 8.0 min | ≤ 30 min: met; ≤ 10 min: met |", markdown);
        // 1 GFLOP per run (1e9 × 1000 / 1000), in 12 s of network (float32) and 2.4 s (bf16).
        Assert.Contains("network alone at float32 0.1, bf16 0.4 GFLOP/s (best here) |", markdown);
    }

    [Fact]
    public void TheReadmeShowsTheCommittedSceneScaleReport()
    {
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var report = SceneScaleReport.Read(Path.Combine(TestEnvironment.RepositoryRoot, "data", "results", SceneScaleReport.FileName));
        Assert.Contains(report.Runs, r => r.Stride == 32);
        Assert.Contains(report.Runs, r => r.Stride == 8);
        Assert.True(readme == ReadmeSections.Splice(readme, report.Markdown(), SceneScaleReport.BeginMarker, SceneScaleReport.EndMarker),
            "README.md's scale section differs from data/results/scene-scale.json: run `cnnsentinel results --update README.md`.");
    }
}
