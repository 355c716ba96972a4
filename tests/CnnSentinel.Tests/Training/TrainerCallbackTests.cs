using CnnSentinel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

/// <summary>The training loop's callbacks: a run's own callbacks see every point of the loop, can stop it, and change nothing else.</summary>
public class TrainerCallbackTests
{
    static TrainerOptions Options(int epochs = 4) => new()
    {
        ModelName = "tiny", Tag = "callbacks", Epochs = epochs, Optimizer = OptimizerSpec.Adam(0.01),
    };

    /// <summary>Writes down what the loop calls, in order.</summary>
    sealed class Recorder : TrainerCallback
    {
        public List<string> Calls { get; } = [];
        public int Steps { get; private set; }
        public override void OnFitStart(TrainingContext context) => Calls.Add($"start {context.Epoch}");
        public override void OnStepEnd(TrainingContext context, TrainingProgress step) => Steps++;
        public override void OnEpochEnd(TrainingContext context) => Calls.Add($"epoch {context.LastEpoch!.Epoch} improved {context.Improved}");
        public override void OnFitEnd(TrainingContext context) => Calls.Add($"end {context.Epoch}");
    }

    /// <summary>Stops the run once it has <paramref name="epochs"/> epochs.</summary>
    sealed class StopAfter(int epochs) : TrainerCallback
    {
        public override void OnEpochEnd(TrainingContext context)
        {
            if (context.Epoch >= epochs) context.RequestStop();
        }
    }

    [Fact]
    public void AnAddedCallbackSeesEveryStepAndEpochAndChangesNoWeight()
    {
        var (train, val) = TinyProblem.Data();
        var plain = TinyProblem.Model();
        var expected = Trainer.Fit(plain, train, val, Options());

        var recorder = new Recorder();
        var watched = TinyProblem.Model();
        var options = Options();
        var result = Trainer.Fit(watched, train, val, options with { Callbacks = [.. options.StandardCallbacks(), recorder] });

        Assert.Equal(4 * train.BatchesPerEpoch, recorder.Steps);
        Assert.Equal("start 0", recorder.Calls[0]);
        Assert.Equal("end 4", recorder.Calls[^1]);
        Assert.Equal(6, recorder.Calls.Count);
        Assert.Equal("epoch 1 improved True", recorder.Calls[1]);
        Assert.Equal(Enumerable.Range(1, 4).Select(e => $"epoch {e}"), recorder.Calls.Skip(1).SkipLast(1).Select(c => string.Join(' ', c.Split(' ').Take(2))));
        Assert.Equal(expected.History.Select(h => (h.TrainLoss, h.ValidationLoss)), result.History.Select(h => (h.TrainLoss, h.ValidationLoss)));
        TensorAssert.SameState(plain, watched);
    }

    [Fact]
    public void ACallbackCanStopTheRun()
    {
        var (train, val) = TinyProblem.Data();
        var result = Trainer.Fit(TinyProblem.Model(), train, val, Options(epochs: 10) with { Callbacks = [new StopAfter(3)] });
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.History.Count);
    }

    [Fact]
    public void ReplacingTheCallbacksDropsTheStandardOnes()
    {
        var (train, val) = TinyProblem.Data();
        var dir = TestEnvironment.NewTempDirectory();
        // Checkpoints asked for by the settings, but the run lists its own callbacks: only a history CSV is written, elsewhere.
        var history = Path.Combine(TestEnvironment.NewTempDirectory(), "runs", "tiny.csv");
        var options = Options(epochs: 2) with { CheckpointDirectory = dir, Callbacks = [TrainerCallback.HistoryCsv(history)] };
        var result = Trainer.Fit(TinyProblem.Model(), train, val, options);
        Assert.Empty(Directory.GetFiles(dir));
        Assert.Null(result.BestCheckpoint);
        Assert.Equal(result.History.Select(h => (h.Epoch, h.TrainLoss, h.ValidationAccuracy)), TrainingHistory.ReadCsv(history).Select(h => (h.Epoch, h.TrainLoss, h.ValidationAccuracy)));
    }

    [Fact]
    public void TheStandardCallbacksFollowTheSettings()
    {
        Assert.Single(Options().StandardCallbacks()); // best weights only
        Assert.Empty((Options() with { RestoreBestWeights = false }).StandardCallbacks());
        var all = Options() with { CheckpointDirectory = "out", Progress = new Progress<TrainingProgress>(), EarlyStoppingPatience = 3 };
        Assert.Equal(5, all.StandardCallbacks().Count);
    }

    [Fact]
    public void TrainingRunsOnTheCpuByDefault()
    {
        Assert.Equal(DeviceType.CPU, Options().Device.type);
        var (train, val) = TinyProblem.Data();
        var onCpu = TinyProblem.Model();
        Trainer.Fit(onCpu, train, val, Options(epochs: 2) with { Device = CPU });
        var byDefault = TinyProblem.Model();
        Trainer.Fit(byDefault, train, val, Options(epochs: 2));
        TensorAssert.SameState(onCpu, byDefault);
    }

    [SkippableFact]
    public void TrainingRefusesADeviceThisMachineLacks()
    {
        Skip.If(cuda.is_available(), "this machine has a CUDA GPU");
        var (train, val) = TinyProblem.Data();
        var model = TinyProblem.Model();
        var error = Assert.Throws<UserErrorException>(() => Trainer.Fit(model, train, val, Options() with { Device = new Device(DeviceType.CUDA, 0) }));
        Assert.Contains("CUDA is not available", error.Message);
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
    }
}
