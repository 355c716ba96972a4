using CnnSentinel.Evaluation;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Bench;

/// <summary>The precision bench, run as a user runs it on a few bundled patches: both sides classify them and the report holds the comparison.</summary>
public class PrecisionBenchmarkTests
{
    [Fact]
    public void ComparesBFloat16WithFloat32OnValidationPatches()
    {
        var output = TestEnvironment.NewTempDirectory("bench-precision");
        try
        {
            var printed = ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "precision",
                "--data", PatchFixtures.BundledRgb, "--patches", "64", "--batch", "32", "--rounds", "2", "--out", output);
            var report = ThroughputReport.Read(Path.Combine(output, "precision.json"));
            Assert.Equal("precision", report.Verb);
            Assert.Contains("64 validation patches", report.Setting);
            var comparison = Assert.Single(report.Comparisons);
            Assert.Equal(2, comparison.Rounds.Count);
            Assert.True(comparison.ImagesPerSecond > 0 && comparison.ReferenceImagesPerSecond > 0, printed);
            Assert.Matches(@"^windows in bfloat16 \(accuracy [0-9.]+ %\)$", comparison.What);
            Assert.Contains("same label on ", printed);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
