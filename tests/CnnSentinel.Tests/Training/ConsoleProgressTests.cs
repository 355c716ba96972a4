using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Training;

namespace CnnSentinel.Tests.Training;

public class ConsoleProgressTests
{
    static TrainingProgress Step(int epoch, int step) => new(epoch, 2, step, 4, 0.5, 0.75, 100, TimeSpan.FromSeconds(83));

    static TrainingProgress EpochEnd(int epoch) => Step(epoch, 4) with { Completed = new EpochRecord(epoch, 0.5, 0.75, 0.6, 0.7, 0.01, 1.5, 64) };

    [Fact]
    public void InPlaceModeRewritesOneLineAndKeepsALinePerEpoch()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, rewriteLine: true);
        Thread.Sleep(300); // past the redraw interval
        progress.Report(Step(1, 1));
        progress.Report(EpochEnd(1));
        var text = output.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("val_acc"));
        Assert.Contains("\r[##------------------] epoch 1/2 · step 1/4 · loss 0.5000 · acc 0.750 · 100 img/s · ETA 1:23", text);
        Assert.Contains("val_loss 0.6000 · val_acc 0.700", text);
    }

    [Fact]
    public void LogModeWritesPlainLinesPerEpoch()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, rewriteLine: false);
        progress.Report(Step(1, 1)); // steps appear at most every 30 s in a log
        progress.Report(EpochEnd(1));
        progress.Report(EpochEnd(2));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain('\r', output.ToString());
        Assert.StartsWith("epoch 2/2 · step 4/4", lines[1]);
    }

    [Fact]
    public void AScenesMapShowsBlocksAndPixelsAndKeepsItsLastLine()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, rewriteLine: false);
        // 4 blocks of a 2000 × 1500 scene; in a log only the last is written within 30 s.
        progress.Report(new SceneProgress(1, 4, 750_000, 3_000_000, TimeSpan.FromSeconds(10)));
        progress.Report(new SceneProgress(4, 4, 3_000_000, 3_000_000, TimeSpan.FromSeconds(83)));
        Assert.Equal("block 4/4 · 3.00 of 3.00 Mpx (100 %) · 0.04 Mpx/s · done in 1:23" + Environment.NewLine, output.ToString());

        var partial = new SceneProgress(1, 4, 750_000, 3_000_000, TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(30), partial.Remaining);
        Assert.Equal("block 1/4 · 0.75 of 3.00 Mpx (25 %) · 0.08 Mpx/s · ETA 0:30", partial.ToString());
        Assert.Equal("block 2/9 · 12 of 40 Mpx (30 %) · 1.20 Mpx/s · ETA 0:23",
            new SceneProgress(2, 9, 12_000_000, 40_000_000, TimeSpan.FromSeconds(10)).ToString());
    }

    [Fact]
    public void WithoutAWriterItWritesToTheConsoleOfTheMomentNotTheOneItWasMadeUnder()
    {
        // A notebook kernel swaps Console.Out for every cell: a progress object made in stage 1's cell and reused in
        // stage 2's must print there. The epoch count marks this test's line among any other test's console output.
        var before = Console.Out;
        var whenMade = new StringWriter();
        var whenReported = new StringWriter();
        try
        {
            Console.SetOut(whenMade);
            var progress = new ConsoleProgress(rewriteLine: false);
            Console.SetOut(whenReported);
            progress.Report(EpochEnd(3) with { Epochs = 9173 });
        }
        finally
        {
            Console.SetOut(before);
        }
        Assert.Contains("epoch 3/9173", whenReported.ToString());
        Assert.DoesNotContain("epoch 3/9173", whenMade.ToString());
    }

    [Fact]
    public void TimesReadAsMinutesOrHours()
    {
        Assert.Equal("1:23", ClockFormat.Of(TimeSpan.FromSeconds(83)));
        Assert.Equal("2:03:04", ClockFormat.Of(new TimeSpan(2, 3, 4)));
    }
}
