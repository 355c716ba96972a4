using CnnSentinel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

public class TrainerTests
{
    static TrainerOptions Options(string? dir = null, int epochs = 4) => new()
    {
        ModelName = "tiny",
        Tag = "test",
        Epochs = epochs,
        Optimizer = OptimizerSpec.Adam(0.01),
        CheckpointDirectory = dir,
    };

    [Fact]
    public void TrainingLearnsTheTinyProblem()
    {
        var (train, val) = TinyProblem.Data();
        var result = Trainer.Fit(TinyProblem.Model(), train, val, Options(epochs: 6));
        Assert.Equal(6, result.History.Count);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.True(result.BestValidationAccuracy > 0.9, $"best validation accuracy {result.BestValidationAccuracy}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameHistoryAndWeights()
    {
        var (train, val) = TinyProblem.Data();
        var a = TinyProblem.Model();
        var first = Trainer.Fit(a, train, val, Options());
        var b = TinyProblem.Model();
        var second = Trainer.Fit(b, train, val, Options());
        Assert.Equal(first.History.Select(h => (h.TrainLoss, h.ValidationLoss, h.ValidationAccuracy)),
            second.History.Select(h => (h.TrainLoss, h.ValidationLoss, h.ValidationAccuracy)));
        TensorAssert.SameState(a, b);
    }

    [Fact]
    public void AnInterruptedRunResumesToTheSameWeights()
    {
        var run = TinyProblem.InterruptAndResume(dir => Options(dir));
        Assert.Equal(2, run.EpochsSaved);
        Assert.Equal(2, run.Result.ResumedFromEpoch);
        Assert.Equal(4, run.Result.History.Count);
        TensorAssert.SameState(run.Uninterrupted, run.Resumed);
        Assert.Equal(4, TrainingHistory.ReadCsv(Path.Combine(run.Folder, run.Options.HistoryName)).Count);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestWeightsAndNamesCheckpointsLikeTheOriginal()
    {
        var (train, val) = TinyProblem.Data();
        var dir = TestEnvironment.NewTempDirectory();
        var model = TinyProblem.Model();
        // Without a learning rate only batch-norm statistics move: validation accuracy soon stops improving.
        var result = Trainer.Fit(model, train, val, Options(dir, epochs: 30) with { Optimizer = OptimizerSpec.Sgd(0, 0), EarlyStoppingPatience = 2 });
        Assert.True(result.StoppedEarly);
        Assert.Equal(result.BestEpoch + 2, result.History.Count);
        Assert.Equal(result.History.Max(h => h.ValidationAccuracy), result.BestValidationAccuracy);

        var best = Assert.Single(Directory.GetFiles(dir, "tiny_test.*-*.ckpt"));
        Assert.Matches($@"tiny_test\.{result.BestEpoch:00}-\d\.\d{{3}}\.ckpt$", best);
        Assert.Equal(result.BestCheckpoint, best);
        var fromCheckpoint = TinyProblem.Model(seed: 5);
        Checkpoint.Load(best, fromCheckpoint);
        TensorAssert.SameState(fromCheckpoint, model);
    }

    [Fact]
    public void ACorruptLastCheckpointIsAClearErrorAndIsNotOverwritten()
    {
        var (train, val) = TinyProblem.Data();
        var dir = TestEnvironment.NewTempDirectory();
        var options = Options(dir, epochs: 1);
        var last = Path.Combine(dir, options.LastCheckpointName);
        File.WriteAllBytes(last, "CNNSCKPT\u0001\0\0\0garbage"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => Trainer.Fit(TinyProblem.Model(), train, val, options));
        Assert.Contains(last, error.Message);
        Assert.Equal("CNNSCKPT\u0001\0\0\0garbage"u8.ToArray(), File.ReadAllBytes(last));
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to a thread pool).</summary>
sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
