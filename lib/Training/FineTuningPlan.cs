using CnnSentinel.Models;

namespace CnnSentinel.Training;

/// <summary>
/// The original's two-stage transfer learning: first only the new parts train (head, and a new input
/// layer) with the backbone frozen; then the network is unfrozen from a named layer on and trained with
/// a small learning rate.
/// </summary>
/// <param name="FirstStageLayers">Layers that train in stage 1 (and keep training in stage 2).</param>
/// <param name="SecondStageFrom">First layer that trains in stage 2; all before it, except <paramref name="FirstStageLayers"/>, stay frozen.</param>
/// <param name="FirstStage">Stage 1 options (the original: Adadelta lr 1.0, early stopping patience 10).</param>
/// <param name="SecondStage">Stage 2 options (the original: SGD lr 1e-4 momentum 0.9, patience 50).</param>
/// <param name="KeepBatchNormFrozen">
/// Keep every batch norm frozen in stage 2 (statistics and scale): with small batches of 64×64 patches,
/// batch statistics differ so much from ImageNet's that switching them on undoes stage 1 (measured on the
/// bundled RGB sample: validation accuracy fell from 0.85 to 0.77 at the start of stage 2).
/// </param>
public sealed record FineTuningPlan(string[] FirstStageLayers, string SecondStageFrom, TrainerOptions FirstStage, TrainerOptions SecondStage,
    bool KeepBatchNormFrozen = true)
{
    /// <summary>
    /// The original's plan for <paramref name="model"/>: its head (and its input layer when the model reads
    /// other bands than the 3 its pretrained weights know) in stage 1, then the network from
    /// <see cref="ImageClassifier.FineTuneFrom"/>. Checkpoints are named <c>&lt;model&gt;_&lt;tag&gt;_init…</c> and
    /// <c>…_final…</c>, as the original's.
    /// </summary>
    /// <param name="model">The pretrained (and possibly band-adapted) model.</param>
    /// <param name="modelName">First part of checkpoint names (e.g. resnet18).</param>
    /// <param name="tag">Second part (e.g. rgb_transfer).</param>
    /// <param name="epochs">Epochs of each stage.</param>
    /// <param name="checkpointDirectory">Where checkpoints and histories go; null keeps nothing on disk.</param>
    /// <param name="firstStageOptimizer">Stage 1 optimiser; the original used Adadelta (lr 1.0) for RGB and Adam for multispectral data.</param>
    public static FineTuningPlan For(ImageClassifier model, string modelName, string tag, int epochs, string? checkpointDirectory = null,
        OptimizerSpec? firstStageOptimizer = null)
    {
        var first = model.Bands == 3 ? new[] { model.HeadName } : [model.FirstConvolutionName, model.HeadName];
        var common = new TrainerOptions { ModelName = modelName, Epochs = epochs, CheckpointDirectory = checkpointDirectory };
        return new FineTuningPlan(first, model.FineTuneFrom,
            common with { Tag = tag + "_init", Optimizer = firstStageOptimizer ?? OptimizerSpec.Adadelta(1.0), EarlyStoppingPatience = 10 },
            common with { Tag = tag + "_final", Optimizer = OptimizerSpec.Sgd(1e-4, 0.9), EarlyStoppingPatience = 50 });
    }

    /// <summary>The same plan with other settings for both stages (steps per epoch, progress, …).</summary>
    public FineTuningPlan WithBoth(Func<TrainerOptions, TrainerOptions> change) =>
        this with { FirstStage = change(FirstStage), SecondStage = change(SecondStage) };
}
