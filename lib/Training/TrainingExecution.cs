using System.Diagnostics;
using CnnSentinel.Evaluation;
using CnnSentinel.IO;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// Carries out a <see cref="TrainingPlan"/>: the network built or loaded, trained by the recipe or from scratch, its best
/// weights evaluated, and the model file with its description, evaluation, card and split written.
/// </summary>
internal static class TrainingExecution
{
    public static TrainingRunResult Execute(TrainingPlan plan)
    {
        var run = plan.Run;
        var log = run.Out;
        log.WriteLine(plan);
        var folder = plan.OutputFolder;
        // One run per model name and folder: two at once would mix one run's model with the other's split.
        using var outputLock = OutputLock.Acquire(plan.FileNamed(".lock"), $"train of {plan.Name} into {folder}");
        foreach (var stale in TemporaryFiles.RemoveStale(folder)) log.WriteLine($"removed {stale}, left by a run that was stopped");
        plan.Data.Split.Write(plan.SplitPath);
        var device = run.Device ?? CPU;
        manual_seed(run.Seed);
        var network = NetworkFor(plan);
        var clock = Stopwatch.StartNew();
        var history = Train(plan, network, device);
        var trainingSeconds = clock.Elapsed.TotalSeconds;

        // Figures of the weights as stored: a float16 file's rounding is applied before evaluating.
        if (run.HalfPrecisionFile) ModelFile.RoundToHalf(network);
        bool tta = plan.Recipe?.TestTimeAugmentation ?? false;
        var report = Evaluator.Evaluate(network, plan.Data.Validation.Batches(0), plan.Data.Dataset.Classes, tta, device);
        ComputeDevice.MoveTo(network, CPU); // model files are written from CPU tensors
        report.Save(plan.EvaluationPath);
        var description = plan.Data.Describe(plan.Architecture, network, plan.Adaptation, Provenance(plan, history, report, tta));
        ModelFile.Save(network, plan.ModelPath, description, run.HalfPrecisionFile);
        ResultsTable.WriteDescription(description, Path.ChangeExtension(plan.ModelPath, ResultsTable.DescriptionExtension));
        AtomicFile.WriteAllText(plan.CardPath, ModelCard.Markdown(Path.GetFileName(plan.ModelPath), description, report, run.ReproduceCommand));
        var result = new TrainingRunResult(plan, network, history, report, description, trainingSeconds);
        log.WriteLine(result);
        return result;
    }

    /// <summary>The network to train: the starting model's, ImageNet's ResNet18 for a recipe, or a new one of the architecture.</summary>
    static ImageClassifier NetworkFor(TrainingPlan plan)
    {
        var dataset = plan.Data.Dataset;
        if (plan.Start is not null) return ModelFile.Load(plan.Run.InitialModel!).Model;
        return plan.Recipe is not null && !plan.Run.RandomInit
            ? ModelCatalog.PretrainedResNet18(dataset.Classes.Count, dataset.BandCount, plan.Adaptation ?? BandAdaptation.Inflate)
            : ModelCatalog.Create(plan.Architecture, dataset.Classes.Count, dataset.BandCount);
    }

    static IReadOnlyList<EpochRecord> Train(TrainingPlan plan, ImageClassifier network, Device device)
    {
        var run = plan.Run;
        var progress = new ConsoleProgress(run.Log);
        if (plan.Recipe is { } recipe)
            return recipe.Train(network, plan.Data.Train, plan.Data.Validation, plan.Architecture, plan.Tag, plan.OutputFolder,
                o => o with
                {
                    StepsPerEpoch = run.StepsPerEpoch, Progress = progress, Device = device, Precision = run.Precision,
                    EarlyStoppingPatience = run.Patience ?? o.EarlyStoppingPatience, RunIdentity = plan.Identity,
                });
        return Trainer.Fit(network, plan.Data.Train, plan.Data.Validation, new TrainerOptions
        {
            ModelName = plan.Architecture, Tag = plan.Tag, Epochs = run.Epochs ?? 10, StepsPerEpoch = run.StepsPerEpoch,
            Optimizer = plan.Optimizer, EarlyStoppingPatience = run.Patience, CheckpointDirectory = plan.OutputFolder, Progress = progress,
            RunIdentity = plan.Identity, Device = device, Precision = run.Precision, Blocks = plan.Blocks,
        }).History;
    }

    static TrainingProvenance Provenance(TrainingPlan plan, IReadOnlyList<EpochRecord> history, EvaluationReport report, bool tta) =>
        new(RecipeInWords(plan), plan.Run.Seed, plan.BatchSize, history.Count, history.Sum(r => r.Images), history.Sum(r => r.Seconds),
            MachineDescription.Current, plan.Data.Identity(), new ValidationFigures(report.Confusion.OverallAccuracy, report.Confusion.Kappa, report.Predictions.Count, tta))
        {
            ContinuedFromFile = plan.Run.InitialModel is { } initial ? Path.GetFileName(initial) : null, ContinuedFrom = plan.Start?.Training,
        };

    /// <summary>The recipe in words for the model's description: its settings; from random weights, its name so marked before them.</summary>
    static string RecipeInWords(TrainingPlan plan) =>
        RecipeSettingsInWords(plan) + (plan.Run.Precision == ComputePrecision.BFloat16 ? TrainingProvenance.BFloat16Steps : "");

    static string RecipeSettingsInWords(TrainingPlan plan)
    {
        if (plan.Recipe is not { } recipe)
            return $"scratch: {plan.Architecture}{(plan.Data.Train.Options.Context is { } context ? $", {context}" : "")}{(plan.Data.Train.Options.Radiometric is { } jitter ? $", {jitter}" : "")}{(plan.Blocks is { } blocks ? $", {blocks}" : "")}";
        // The recipe's text is "<name>: <settings>"; the settings follow the marked name.
        return plan.Run.RandomInit ? $"{recipe.Name} from random weights: {recipe.ToString()[(recipe.Name.Length + 2)..]}" : recipe.ToString();
    }
}
