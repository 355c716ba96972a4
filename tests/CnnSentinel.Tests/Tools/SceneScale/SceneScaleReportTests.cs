using CnnSentinel.Scenes;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class SceneScaleReportTests
{
    static SceneScaleRun Run(int size, ClassificationMode mode, int stride, double seconds, double peakMiB) =>
        new(size, mode, stride, seconds, seconds * 0.9, seconds * 0.6, seconds * 0.05, 1_000_000_000L * size / 1000, peakMiB, mode == ClassificationMode.Dense ? 0.8 : null);

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
