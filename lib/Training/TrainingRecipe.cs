using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Transforms;

namespace CnnSentinel.Training;

/// <summary>
/// A named way of fine-tuning the offline ImageNet ResNet18 on EuroSAT: <see cref="Original"/>, CNN-Sentinel's two
/// stages, or <see cref="Fast"/>, a modern full fine-tuning. <c>cnnsentinel train --recipe original|fast</c> and
/// <see cref="Named"/> pick one by name.
/// </summary>
/// <param name="Name">original or fast.</param>
/// <param name="Epochs">Epochs (of each stage for the original).</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Optimizer">The optimiser (the original's first stage; its second stage is always SGD 1e-4).</param>
/// <param name="WarmupEpochs">Linear warm-up before the cosine schedule (fast only).</param>
/// <param name="LabelSmoothing">Label smoothing of the loss (fast only).</param>
/// <param name="Augmentation">Training augmentation.</param>
/// <param name="TestTimeAugmentation">Evaluate with probabilities averaged over the 8 flips and quarter turns.</param>
/// <param name="Context">Training images shown among other patches, for maps (<see cref="ContextMosaic"/>); null for whole patches only.</param>
/// <param name="Radiometric">Training images changed as other processing levels, haze and scalings would, for real scenes (<see cref="RadiometricJitter"/>); null for none.</param>
/// <param name="Blocks">Steps taken as blocks of the batch's images, for dense maps with a padded network (<see cref="BlockBatches"/>); null for lone windows only.</param>
public sealed record TrainingRecipe(string Name, int Epochs, int BatchSize, OptimizerSpec Optimizer, double WarmupEpochs,
    double LabelSmoothing, AugmentationPolicy Augmentation, bool TestTimeAugmentation, ContextMosaic? Context = null, RadiometricJitter? Radiometric = null,
    BlockBatches? Blocks = null)
{
    /// <summary>
    /// CNN-Sentinel's transfer learning: the head alone with Adadelta (lr 1.0) with the backbone frozen, then the
    /// network from layer2 on with SGD (lr 1e-4, momentum 0.9), batch norms frozen; flips and ±45° rotations.
    /// What notebook 02 teaches.
    /// </summary>
    public static TrainingRecipe Original { get; } = new("original", 10, 64, OptimizerSpec.Adadelta(1.0), 0, 0, AugmentationPolicy.Original, false);

    /// <summary>
    /// Full fine-tuning, every layer and batch norm training from the first step: AdamW (lr 1e-3, weight decay
    /// 0.05) with a one-epoch linear warm-up and a cosine decay to 0 (per step), label smoothing 0.1, the 8 flips
    /// and quarter turns as augmentation (exact pixel moves: no interpolation blur), and the same 8 averaged at
    /// evaluation.
    /// </summary>
    public static TrainingRecipe Fast { get; } = new("fast", 18, 64, OptimizerSpec.AdamW(1e-3, 0.05), 1, 0.1, AugmentationPolicy.Dihedral, true);

    /// <summary>Recipes by name.</summary>
    public static IReadOnlyList<TrainingRecipe> All { get; } = [Original, Fast];

    /// <summary>The recipe called <paramref name="name"/>.</summary>
    /// <exception cref="UserErrorException">No recipe has that name; the message lists them.</exception>
    public static TrainingRecipe Named(string name) =>
        All.FirstOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UserErrorException($"Unknown recipe '{name}': use {string.Join(" or ", All.Select(r => r.Name))}.");

    /// <summary>The trainer settings of the fast recipe (one stage, nothing frozen).</summary>
    /// <param name="modelName">First part of checkpoint names.</param>
    /// <param name="tag">Second part of checkpoint names.</param>
    /// <param name="checkpointDirectory">Where checkpoints go; null keeps nothing on disk.</param>
    public TrainerOptions SingleStageOptions(string modelName, string tag, string? checkpointDirectory = null) => new()
    {
        ModelName = modelName, Tag = tag, Epochs = Epochs, Optimizer = Optimizer, CheckpointDirectory = checkpointDirectory,
        Schedule = LearningRateSchedule.Cosine(Epochs, 0, EffectiveWarmupEpochs), LabelSmoothing = LabelSmoothing, Blocks = Blocks,
    };

    /// <summary>The warm-up the schedule uses: <see cref="WarmupEpochs"/>, shortened so that at least one epoch of cosine decay follows it.</summary>
    public double EffectiveWarmupEpochs => Math.Min(WarmupEpochs, Epochs - 1);

    /// <summary>
    /// Trains <paramref name="model"/> (a pretrained classifier) by this recipe: the fast recipe as one stage with
    /// every layer trainable, the original as <see cref="FineTuningPlan"/>'s two stages.
    /// </summary>
    /// <param name="model">The pretrained network with its new head.</param>
    /// <param name="train">Training batches (built with <see cref="Augmentation"/>, <see cref="Context"/>, <see cref="Radiometric"/> and <see cref="BatchSize"/>).</param>
    /// <param name="validation">Validation batches.</param>
    /// <param name="modelName">First part of checkpoint names.</param>
    /// <param name="tag">Second part of checkpoint names.</param>
    /// <param name="checkpointDirectory">Where checkpoints go; null keeps nothing on disk.</param>
    /// <param name="change">Changes to the trainer settings of each stage (steps per epoch, progress, …).</param>
    /// <param name="cancellation">Stops between steps.</param>
    /// <returns>The epochs trained, stages one after the other.</returns>
    public IReadOnlyList<EpochRecord> Train(ImageClassifier model, ITrainingData train, ITrainingData validation, string modelName, string tag,
        string? checkpointDirectory = null, Func<TrainerOptions, TrainerOptions>? change = null, CancellationToken cancellation = default)
    {
        change ??= o => o;
        if (Name == Fast.Name)
        {
            model.Unfreeze();
            return Trainer.Fit(model, train, validation, change(SingleStageOptions(modelName, tag, checkpointDirectory)), cancellation).History;
        }
        var plan = FineTuningPlan.For(model, modelName, tag, Epochs, checkpointDirectory, Optimizer).WithBoth(o => change(o with { Blocks = Blocks }));
        return FineTuning.Run(model, train, validation, plan, cancellation).History;
    }

    string ContextInWords => (Context is not null ? $", {Context}" : "") + (Radiometric is not null ? $", {Radiometric}" : "") + (Blocks is not null ? $", {Blocks}" : "");

    /// <inheritdoc />
    public override string ToString() => Name == Fast.Name
        ? $"fast: full fine-tuning, {Optimizer.Name} lr {Optimizer.LearningRate:g3} weight decay {Optimizer.WeightDecay:g3}, {WarmupEpochs:g3}-epoch warm-up + cosine over {Epochs} epochs, label smoothing {LabelSmoothing:g3}, flips and quarter turns{ContextInWords}, batch {BatchSize}{(TestTimeAugmentation ? ", 8-view test-time augmentation" : "")}"
        : $"original: head with {Optimizer.Name} (lr {Optimizer.LearningRate:g3}) then from layer2 with SGD 1e-4, {Epochs} + {Epochs} epochs, flips and ±45° rotations{ContextInWords}, batch {BatchSize}";
}
