using CnnSentinel.Evaluation;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Bench;

/// <summary>The time-to-accuracy bench, run as a user runs it, on the bundled sample for a few steps.</summary>
public class TimeToAccuracyBenchmarkTests
{
    [Fact]
    public void BothSidesTrainOnTheSamePixelsAndAgree()
    {
        var output = TestEnvironment.NewTempDirectory("bench-tta");
        try
        {
            ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "time-to-accuracy",
                "--data", Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb"), "--epochs", "2", "--steps", "2",
                "--targets", "0.2", "0.99", "--out", output);
            var report = TimeToAccuracyReport.Read(Path.Combine(output, TimeToAccuracyReport.FileName));
            Assert.True(report.Complete);
            Assert.Equal("eurosat-rgb", report.Data);
            Assert.Equal(0, report.FirstBatchDifference);
            // Same weights, batches and schedule: after four steps both networks classify (nearly) the same images correctly.
            for (int epoch = 0; epoch < 2; epoch++)
                Assert.InRange(Math.Abs(report.Library[epoch].Accuracy - report.Reference[epoch].Accuracy), 0, 0.02);
            Assert.True(report.Library.Zip(report.Library.Skip(1)).All(p => p.Second.Seconds > p.First.Seconds));
            Assert.True(double.IsPositiveInfinity(report.Times[1].LibrarySeconds));
            // The library's side records its collector's pauses and its managed allocations (growing, as they count from
            // the start); PyTorch's side has none.
            Assert.All(report.Library, p => Assert.True(p.GcPauseSeconds >= 0 && p.AllocatedBytes > 0));
            Assert.True(report.Library[1].AllocatedBytes > report.Library[0].AllocatedBytes);
            Assert.All(report.Reference, p => Assert.Null(p.GcPauseSeconds));
            Assert.Contains("The library's garbage collector paused it", report.Markdown());
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
