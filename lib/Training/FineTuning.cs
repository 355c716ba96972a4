using CnnSentinel.Loading;
using CnnSentinel.Models;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>Runs a <see cref="FineTuningPlan"/>: two trainings with different frozen layers, in one call.</summary>
public static class FineTuning
{
    /// <summary>The two stages' results.</summary>
    /// <param name="FirstStage">Stage 1: new layers only.</param>
    /// <param name="SecondStage">Stage 2: unfrozen from the plan's layer.</param>
    /// <param name="KeptStage">The stage whose best weights the model holds at the end (1 or 2).</param>
    public sealed record Result(TrainingResult FirstStage, TrainingResult SecondStage, int KeptStage)
    {
        /// <summary>Both stages' epochs as one history, numbered on from stage 1.</summary>
        public IReadOnlyList<EpochRecord> History =>
            [.. FirstStage.History, .. SecondStage.History.Select(r => r with { Epoch = r.Epoch + FirstStage.History.Count })];

        /// <summary>Validation accuracy of the weights the model holds at the end.</summary>
        public double BestValidationAccuracy => Math.Max(FirstStage.BestValidationAccuracy, SecondStage.BestValidationAccuracy);
    }

    /// <summary>
    /// Stage 1 with everything but <see cref="FineTuningPlan.FirstStageLayers"/> frozen, then stage 2 from
    /// <see cref="FineTuningPlan.SecondStageFrom"/>. The model ends with the best weights of both stages (stage 2
    /// must beat stage 1's validation accuracy to replace them). A stage that finished in an earlier,
    /// interrupted run is not repeated (its checkpoints are reused).
    /// </summary>
    public static Result Run(nn.Module<Tensor, Tensor> model, ITrainingData train, ITrainingData validation, FineTuningPlan plan,
        CancellationToken cancellation = default)
    {
        model.Freeze();
        model.Unfreeze(plan.FirstStageLayers);
        var first = Trainer.Fit(model, train, validation, Labelled(plan.FirstStage, "stage 1"), cancellation);
        var afterFirst = ModelState.Copy(model);
        try
        {
            model.UnfreezeFrom(plan.SecondStageFrom);
            model.Unfreeze(plan.FirstStageLayers);
            if (plan.KeepBatchNormFrozen) model.FreezeBatchNorms();
            var second = Trainer.Fit(model, train, validation, Labelled(plan.SecondStage, "stage 2"), cancellation);
            if (second.BestValidationAccuracy > first.BestValidationAccuracy) return new Result(first, second, 2);
            ModelState.Restore(model, afterFirst);
            return new Result(first, second, 1);
        }
        finally
        {
            ModelState.Dispose(afterFirst);
        }
    }

    /// <summary>The stage's options with its progress reports marked with <paramref name="stage"/>, so that the two stages' logs read apart.</summary>
    static TrainerOptions Labelled(TrainerOptions options, string stage) =>
        options.Progress is { } progress ? options with { Progress = new Progress(progress, stage) } : options;

    sealed class Progress(IProgress<TrainingProgress> inner, string stage) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => inner.Report(value with { Stage = stage });
    }
}
