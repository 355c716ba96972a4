using CnnSentinel.Models;
using CnnSentinel.Training;

namespace CnnSentinel.Tests.Training;

/// <summary>
/// A training process killed in the middle of an epoch, then started again with the same command, ends
/// with exactly the weights of an uninterrupted run.
/// </summary>
public class ResumeAfterKillTests
{
    static string[] Train(string output) =>
    [
        ExternalTools.Cli, "train", "--model", "smallcnn", "--epochs", "3", "--steps", "6", "--batch", "16",
        "--data", Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb"), "--out", output,
    ];

    static string RunToEnd(string[] arguments)
    {
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", arguments);
        Assert.True(code == 0, stdout + stderr);
        return stdout;
    }

    [Fact]
    public void KilledMidEpochAndRestartedEndsWithTheWeightsOfAnUninterruptedRun()
    {
        var uninterrupted = TestEnvironment.NewTempDirectory();
        RunToEnd(Train(uninterrupted));

        var interrupted = TestEnvironment.NewTempDirectory();
        using (var process = ExternalTools.Start("dotnet", Train(interrupted)))
        {
            _ = process.StandardError.ReadToEndAsync();
            // Wait for the end of epoch 1, then kill the process while it trains epoch 2.
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null && !line.StartsWith("epoch 1/3", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            Thread.Sleep(150);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var last = Path.Combine(interrupted, "smallcnn_rgb_scratch.last.ckpt");
        var killedAt = Checkpoint.ReadHeader(last).Epoch;
        Assert.InRange(killedAt, 1, 2);

        var output = RunToEnd(Train(interrupted));
        Assert.Contains("epoch 3/3", output);
        Assert.DoesNotContain("epoch 1/3", output); // resumed, not restarted

        var expected = new SmallCnn();
        Checkpoint.Load(Path.Combine(uninterrupted, "smallcnn_rgb_scratch.last.ckpt"), expected);
        var actual = new SmallCnn();
        Checkpoint.Load(last, actual);
        TensorAssert.SameState(expected, actual);
        Assert.Equal(3, Checkpoint.ReadHeader(last).Epoch);
        Assert.Empty(Directory.GetFileSystemEntries(interrupted, ".*")); // no work file of the killed run is left
        Assert.Equal(
            TrainingHistory.ReadCsv(Path.Combine(uninterrupted, "smallcnn_rgb_scratch.history.csv")).Select(h => (h.TrainLoss, h.ValidationAccuracy)),
            TrainingHistory.ReadCsv(Path.Combine(interrupted, "smallcnn_rgb_scratch.history.csv")).Select(h => (h.TrainLoss, h.ValidationAccuracy)));
    }
}
