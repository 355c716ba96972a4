using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>How to train: duration, optimiser, schedule, early stopping, checkpoints, device, callbacks.</summary>
public sealed record TrainerOptions
{
    /// <summary>The model's short name, the first part of checkpoint names (the original used vgg and dense).</summary>
    public string ModelName { get; init; } = "model";

    /// <summary>The run's tag, the second part of checkpoint names (e.g. rgb_transfer_init).</summary>
    public string Tag { get; init; } = "run";

    /// <summary>Epochs to train (in total, counting epochs a resumed run already did).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Steps per epoch; null for one full pass over the training data. The original used 1000 steps of 64.</summary>
    public int? StepsPerEpoch { get; init; }

    /// <summary>The optimiser.</summary>
    public OptimizerSpec Optimizer { get; init; } = OptimizerSpec.Adam();

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant();

    /// <summary>Stop after this many epochs without a better validation accuracy; null never stops early.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>At the end, put back the weights of the epoch with the best validation accuracy (Keras' restore_best_weights).</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Label smoothing of the cross-entropy loss (0: none; 0.1 spreads a tenth of each target over all classes).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Per-class weights of the loss (e.g. inverse class frequencies); null weighs all classes equally.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>
    /// Folder for checkpoints and the history CSV; null keeps nothing on disk. A run finds its own last
    /// checkpoint there and resumes from it.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// The settings that define the run (e.g. seed, batch size, recipe, learning rate, data digest), saved in every
    /// checkpoint. Resuming from a checkpoint whose identity differs is refused, naming the differing settings: a
    /// changed seed would move images between the training and validation sides mid-run.
    /// </summary>
    public IReadOnlyDictionary<string, string>? RunIdentity { get; init; }

    /// <summary>Receives progress after each step and each epoch (<see cref="TrainerCallback.ReportProgress"/>); null reports nothing.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Where to train: the CPU (the default), or a CUDA GPU (<c>torch.CUDA</c>) where TorchSharp's CUDA runtime is installed; a
    /// device this machine lacks is refused. The model is moved there before training and every batch as it comes. Exact
    /// resumption is guaranteed on the CPU, whose random generator the checkpoints hold.
    /// </summary>
    public Device Device { get; init; } = CPU;

    /// <summary>
    /// The number format of the optimiser steps: float32 (the default), or bfloat16 mixed precision, where every layer but
    /// the batch norms computes in bfloat16 while the optimiser updates float32 masters of the weights, and each epoch's
    /// validation computes so too; checkpoints and the model returned are float32 either way. Only faster on a CPU with bfloat16 instructions
    /// (<c>CpuPrecision</c> decides <c>--precision auto</c>) or a GPU.
    /// </summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Float32;

    /// <summary>
    /// Steps taken as blocks of the batch's images side by side, so that a padded network learns dense classification's
    /// view of a scene (<see cref="BlockBatches"/>); null for lone windows only.
    /// </summary>
    public BlockBatches? Blocks { get; init; }

    /// <summary>
    /// The callbacks the training loop calls, in order; null (the default) for <see cref="StandardCallbacks"/>, built from the
    /// settings above. To add one: <c>options with { Callbacks = [.. options.StandardCallbacks(), mine] }</c>; to replace one,
    /// list the built-ins you keep (<see cref="TrainerCallback"/>'s static methods) with yours. When set, the settings above that
    /// make the standard callbacks (checkpoints, best weights, early stopping, progress) are not read.
    /// </summary>
    public IReadOnlyList<TrainerCallback>? Callbacks { get; init; }

    /// <summary>
    /// The callbacks these settings ask for: checkpoints in <see cref="CheckpointDirectory"/>, restoring the best weights, the
    /// history CSV beside the checkpoints, <see cref="Progress"/>, and early stopping after <see cref="EarlyStoppingPatience"/>.
    /// </summary>
    public IReadOnlyList<TrainerCallback> StandardCallbacks()
    {
        var callbacks = new List<TrainerCallback>();
        if (CheckpointDirectory is { } folder) callbacks.Add(TrainerCallback.Checkpoints(folder));
        if (RestoreBestWeights) callbacks.Add(TrainerCallback.RestoreBestWeights());
        if (CheckpointDirectory is not null) callbacks.Add(TrainerCallback.HistoryCsv(Path.Combine(CheckpointDirectory, HistoryName)));
        if (Progress is { } progress) callbacks.Add(TrainerCallback.ReportProgress(progress));
        if (EarlyStoppingPatience is { } patience) callbacks.Add(TrainerCallback.EarlyStopping(patience));
        return callbacks;
    }

    /// <summary>File name of the last checkpoint, from which a run resumes.</summary>
    public string LastCheckpointName => $"{ModelName}_{Tag}.last.ckpt";

    /// <summary>File name of the history CSV.</summary>
    public string HistoryName => $"{ModelName}_{Tag}.history.csv";

    /// <summary>File name of a best checkpoint, as the original named them: <c>&lt;model&gt;_&lt;tag&gt;.&lt;epoch&gt;-&lt;val_acc&gt;</c>.</summary>
    public string BestCheckpointName(int epoch, double validationAccuracy) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ModelName}_{Tag}.{epoch:00}-{validationAccuracy:0.000}.ckpt");
}
