using CnnSentinel.Evaluation;
using CnnSentinel.Models;

namespace CnnSentinel.Training;

/// <summary>What a <see cref="TrainingRun"/> made: the trained network, its epochs, its evaluation and the files it wrote.</summary>
/// <param name="Plan">The plan carried out: the data, the recipe, the file names (<see cref="TrainingPlan.ModelPath"/>, …).</param>
/// <param name="Model">The network with its best weights (rounded to float16 for a half-precision file), on the CPU.</param>
/// <param name="History">Every epoch trained, earlier runs of the same name included, stages one after the other.</param>
/// <param name="Evaluation">The best weights on the validation side.</param>
/// <param name="Description">The model file's description.</param>
/// <param name="TrainingSeconds">Wall time of this run's training (not of the epochs an interrupted run had done).</param>
public sealed record TrainingRunResult(TrainingPlan Plan, ImageClassifier Model, IReadOnlyList<EpochRecord> History, EvaluationReport Evaluation,
    ModelDescription Description, double TrainingSeconds)
{
    /// <summary>The figures and the files, a line each.</summary>
    public override string ToString()
    {
        var confusion = Evaluation.Confusion;
        bool tta = Description.Training?.Validation.TestTimeAugmentation ?? false;
        return $"best weights: overall accuracy {confusion.OverallAccuracy:0.0000}, kappa {confusion.Kappa:0.0000} on {Evaluation.Predictions.Count} validation images{(tta ? " (8-view test-time augmentation)" : "")}; " +
            $"{History.Count} epochs in all, {TrainingSeconds:0} s this run\n" +
            $"evaluation: {Plan.EvaluationPath}\nmodel file: {Plan.ModelPath}\nmodel card: {Plan.CardPath}\nsplit: {Plan.SplitPath}";
    }
}
