using CnnSentinel.Runtime;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class TimeToAccuracyReportTests
{
    static TimeToAccuracyReport Sample(int epochs = 3) => new("eurosat-rgb", "fast: …", epochs, "1.13", 0, "2 cores",
        [new(1, 100, 0.95), new(2, 200, 0.975), new(3, 300, 0.98)],
        [new(1, 80, 0.96), new(2, 160, 0.971), new(3, 240, 0.986)],
        [0.97, 0.985]);

    [Fact]
    public void EachTargetIsTimedAtTheFirstEpochThatReachesIt()
    {
        var times = Sample().Times;
        Assert.Equal((200.0, 160.0), (times[0].LibrarySeconds, times[0].ReferenceSeconds));
        Assert.Equal(1.25, times[0].Ratio, 9);
        Assert.True(double.IsPositiveInfinity(times[1].LibrarySeconds));
        Assert.Equal(240, times[1].ReferenceSeconds);
        Assert.True(double.IsNaN(times[1].Ratio)); // one side did not get there: no ratio
        var markdown = Sample().Markdown();
        Assert.Contains("| 0.97 | 3.3 min | 2.7 min | 1.25 |", markdown);
        Assert.Contains("| 0.985 | not reached | 4.0 min | — |", markdown);
        Assert.Contains("3 epochs", markdown);
        Assert.Contains("3 of 5 epochs", Sample(epochs: 5).Markdown());
        Assert.DoesNotContain("garbage collector", markdown); // not recorded in this report
    }

    [Fact]
    public void TheLibrarysCollectorPausesAndAllocationsAreStatedWhereRecorded()
    {
        var report = Sample() with { Library = [new(1, 100, 0.95, 0.2, 3_000_000_000), new(2, 200, 0.975, 0.6, 6_000_000_000)] };
        Assert.Contains("paused it 0.6 s in all (0.3 % of its time); it allocated 3.0 GB of managed memory per epoch", report.Markdown());
    }

    [Fact]
    public void EachSidesNumberFormatIsNamedInTheFileAndTheTable()
    {
        Assert.Equal("time-to-accuracy.json", TimeToAccuracyReport.FileNameFor(ComputePrecision.Float32, ComputePrecision.Float32));
        Assert.Equal("time-to-accuracy-bf16-float32.json", TimeToAccuracyReport.FileNameFor(ComputePrecision.BFloat16, ComputePrecision.Float32));
        Assert.Equal("time-to-accuracy-bf16-bf16.json", TimeToAccuracyReport.FileNameFor(ComputePrecision.BFloat16, ComputePrecision.BFloat16));
        var mixed = Sample() with { Precision = TimeToAccuracyReport.PrecisionInWords(ComputePrecision.BFloat16, ComputePrecision.Float32) };
        Assert.Contains("fast recipe, training steps in bfloat16 (the trainer's mixed precision) for CnnSentinel, float32 for PyTorch, 3 epochs", mixed.Markdown());
        // A report from before the sides could differ: float32 unless its recipe names bfloat16.
        Assert.Contains("fast recipe, training steps in float32 on both sides, 3 epochs", Sample().Markdown());
        var bothBf16 = Sample() with { Recipe = "fast: …; training steps in bfloat16 (the trainer's mixed precision; PyTorch's CPU autocast, channels-last)" };
        Assert.Contains("training steps in bfloat16 (the trainer's mixed precision) for CnnSentinel, bfloat16 (CPU autocast, channels-last) for PyTorch", bothBf16.Markdown());
    }

    [Fact]
    public void AReportReadsBackAsWrittenAndABadFileIsNamed()
    {
        var folder = Directory.CreateTempSubdirectory("tta-report-");
        try
        {
            var path = Path.Combine(folder.FullName, TimeToAccuracyReport.FileName);
            Sample().Write(path);
            var read = TimeToAccuracyReport.Read(path);
            Assert.Equal(Sample().Markdown(), read.Markdown());
            Assert.Equal(Sample().Reference, read.Reference);
            File.WriteAllText(path, "{ not json");
            var error = Assert.Throws<InvalidDataException>(() => TimeToAccuracyReport.Read(path));
            Assert.Contains(path, error.Message);
        }
        finally { folder.Delete(recursive: true); }
    }
}
