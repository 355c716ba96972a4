using CnnSentinel.Training.Callbacks;

namespace CnnSentinel.Training;

/// <summary>
/// Something the training loop calls at fixed points of a run (as Keras', Lightning's and fastai's callbacks):
/// checkpoints, best weights, early stopping, the history CSV and progress are such callbacks, and a run can add
/// its own or replace them (<see cref="TrainerOptions.Callbacks"/>). Override the points you need; the others do nothing.
/// </summary>
/// <remarks>
/// The loop calls the callbacks in list order at each point. A callback may stop the run after an epoch
/// (<see cref="TrainingContext.RequestStop"/>). The built-in ones are made by the static methods below.
/// </remarks>
public abstract class TrainerCallback
{
    /// <summary>Before the first epoch of this run (after a resume, before the first epoch still to do).</summary>
    public virtual void OnFitStart(TrainingContext context) { }

    /// <summary>After every optimiser step, with the epoch's figures so far.</summary>
    public virtual void OnStepEnd(TrainingContext context, TrainingProgress step) { }

    /// <summary>After every epoch's validation: <see cref="TrainingContext.LastEpoch"/> holds its record.</summary>
    public virtual void OnEpochEnd(TrainingContext context) { }

    /// <summary>After the last epoch (or an early stop); not called when the run fails or is cancelled.</summary>
    public virtual void OnFitEnd(TrainingContext context) { }

    /// <summary>
    /// Checkpoints in <paramref name="directory"/> that resume exactly: the last one after every epoch, the best one
    /// whenever validation accuracy improves (the previous best is deleted). At the start it resumes from the run's own
    /// last checkpoint there, refusing one written with another <see cref="TrainerOptions.RunIdentity"/>. Put it first:
    /// the callbacks after it see the resumed state.
    /// </summary>
    public static TrainerCallback Checkpoints(string directory) => new CheckpointCallback(directory);

    /// <summary>At the end, puts back the weights of the epoch with the best validation accuracy (Keras' restore_best_weights).</summary>
    public static TrainerCallback RestoreBestWeights() => new RestoreBestWeightsCallback();

    /// <summary>Stops after <paramref name="patience"/> epochs without a better validation accuracy.</summary>
    public static TrainerCallback EarlyStopping(int patience) => new EarlyStoppingCallback(patience);

    /// <summary>Writes the history (every epoch so far) to the CSV file <paramref name="path"/> after every epoch, atomically.</summary>
    public static TrainerCallback HistoryCsv(string path) => new HistoryCsvCallback(path);

    /// <summary>Reports every step and every epoch to <paramref name="progress"/> (e.g. a <see cref="ConsoleProgress"/>).</summary>
    public static TrainerCallback ReportProgress(IProgress<TrainingProgress> progress) => new ProgressCallback(progress);
}
