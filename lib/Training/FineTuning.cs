using CnnSentinel.Models;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>Runs a <see cref="FineTuningPlan"/>: two trainings with different frozen layers, in one call.</summary>
public static class FineTuning
{
    /// <summary>The two stages' results.</summary>
    /// <param name="FirstStage">Stage 1: new layers only.</param>
    /// <param name="SecondStage">Stage 2: unfrozen from the plan's layer.</param>
    public sealed record Result(TrainingResult FirstStage, TrainingResult SecondStage)
    {
        /// <summary>Both stages' epochs as one history, numbered on from stage 1.</summary>
        public IReadOnlyList<EpochRecord> History =>
            [.. FirstStage.History, .. SecondStage.History.Select(r => r with { Epoch = r.Epoch + FirstStage.History.Count })];
    }

    /// <summary>
    /// Stage 1 with everything but <see cref="FineTuningPlan.FirstStageLayers"/> frozen, then stage 2 from
    /// <see cref="FineTuningPlan.SecondStageFrom"/>. Each stage keeps its best weights; a stage that finished in
    /// an earlier, interrupted run is not repeated (its checkpoints are reused).
    /// </summary>
    public static Result Run(nn.Module<Tensor, Tensor> model, ITrainingData train, ITrainingData validation, FineTuningPlan plan,
        CancellationToken cancellation = default)
    {
        model.Freeze();
        model.Unfreeze(plan.FirstStageLayers);
        var first = Trainer.Fit(model, train, validation, plan.FirstStage, cancellation);

        model.UnfreezeFrom(plan.SecondStageFrom);
        model.Unfreeze(plan.FirstStageLayers);
        var second = Trainer.Fit(model, train, validation, plan.SecondStage, cancellation);
        return new Result(first, second);
    }
}
