using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>Where a run of <see cref="Trainer.Fit"/> stands, as its <see cref="TrainerCallback"/>s see it.</summary>
public sealed class TrainingContext
{
    readonly Stopwatch _runClock = Stopwatch.StartNew();

    internal TrainingContext(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, TrainerOptions options, int stepsPerEpoch, Device device)
    {
        Model = model;
        Optimizer = optimizer;
        Options = options;
        StepsPerEpoch = stepsPerEpoch;
        Device = device;
        State = new TrainerState(0, [], options.Schedule.State, double.NegativeInfinity, 0, 0, null, []);
    }

    /// <summary>The model being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The optimiser of its trainable parameters.</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>The run's settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Optimiser steps per epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>Where the model and the batches are.</summary>
    public Device Device { get; }

    /// <summary>The bfloat16 steps' float32 masters when <see cref="TrainerOptions.Precision"/> asks for them; null in float32.</summary>
    internal MixedPrecision? MixedPrecision { get; init; }

    /// <summary>Epochs completed, counting those of a run this one resumed.</summary>
    public int Epoch => State.Epoch;

    /// <summary>Epochs a previous run had completed (0 for a fresh run).</summary>
    public int ResumedFromEpoch { get; private set; }

    /// <summary>One record per completed epoch.</summary>
    public IReadOnlyList<EpochRecord> History => State.History;

    /// <summary>The last completed epoch's record; null before the first.</summary>
    public EpochRecord? LastEpoch => State.History.Count > 0 ? State.History[^1] : null;

    /// <summary>True when the last epoch beat every earlier validation accuracy.</summary>
    public bool Improved { get; private set; }

    /// <summary>Best validation accuracy so far (negative infinity before the first epoch).</summary>
    public double BestValidationAccuracy => State.BestValidationAccuracy;

    /// <summary>1-based epoch that reached <see cref="BestValidationAccuracy"/>; 0 before the first epoch.</summary>
    public int BestEpoch => State.BestEpoch;

    /// <summary>Epochs since the best one.</summary>
    public int EpochsWithoutImprovement => State.EpochsWithoutImprovement;

    /// <summary>Path of the best checkpoint, when a checkpointing callback keeps one.</summary>
    public string? BestCheckpoint { get; internal set; }

    /// <summary>The last completed epoch's progress report; null before the first.</summary>
    public TrainingProgress? EpochProgress { get; private set; }

    /// <summary>True once a callback asked to stop.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Ends the run after the current epoch's callbacks (early stopping).</summary>
    public void RequestStop() => StopRequested = true;

    /// <summary>What a checkpoint saves of the loop; a resuming callback replaces it.</summary>
    internal TrainerState State { get; set; }

    /// <summary>Marks the start of this run's epochs, after the callbacks' start (and a resume): its clock and first epoch.</summary>
    internal void BeginEpochs()
    {
        ResumedFromEpoch = Epoch;
        _runClock.Restart();
    }

    /// <summary>Takes in a finished epoch: history, best accuracy, schedule and random generator state, and its progress report.</summary>
    internal void CompleteEpoch(EpochRecord record, double imagesPerSecond)
    {
        Improved = record.ValidationAccuracy > State.BestValidationAccuracy;
        State = State with
        {
            Epoch = record.Epoch,
            History = [.. State.History, record],
            Schedule = Options.Schedule.State,
            BestValidationAccuracy = Improved ? record.ValidationAccuracy : State.BestValidationAccuracy,
            BestEpoch = Improved ? record.Epoch : State.BestEpoch,
            EpochsWithoutImprovement = Improved ? 0 : State.EpochsWithoutImprovement + 1,
            RandomState = RandomGeneratorState(),
        };
        EpochProgress = new TrainingProgress(record.Epoch, Options.Epochs, StepsPerEpoch, StepsPerEpoch, record.TrainLoss, record.TrainAccuracy,
            imagesPerSecond, Remaining(), record);
    }

    /// <summary>The rest of the run at this run's pace per epoch so far.</summary>
    TimeSpan Remaining()
    {
        int done = Epoch - ResumedFromEpoch;
        double perEpoch = done > 0 ? _runClock.Elapsed.TotalSeconds / done : 0;
        return TimeSpan.FromSeconds(perEpoch * (Options.Epochs - Epoch));
    }

    static byte[] RandomGeneratorState()
    {
        using var state = TorchSharp.torch.get_rng_state();
        return state.data<byte>().ToArray();
    }
}
