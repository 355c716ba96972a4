using System.Globalization;
using CnnSentinel.Datasets;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;

namespace CnnSentinel.Training;

/// <summary>
/// A <see cref="TrainingRun"/> checked and named (<see cref="TrainingRun.Plan"/>): the split data, the recipe with the run's
/// settings laid over it, the optimiser, the batch and the file names; <see cref="Execute"/> carries it out.
/// </summary>
public sealed class TrainingPlan
{
    TrainingPlan(TrainingRun run, EuroSatTrainingData data, ModelDescription? start, TrainingRecipe? recipe, string architecture, string recipeName,
        string tag, BandAdaptation? adaptation, OptimizerSpec optimizer, IReadOnlyDictionary<string, string> identity)
    {
        (Run, Data, Start, Recipe, Architecture, RecipeName) = (run, data, start, recipe, architecture, recipeName);
        (Tag, Adaptation, Optimizer, Identity) = (tag, adaptation, optimizer, identity);
    }

    /// <summary>The run as specified.</summary>
    public TrainingRun Run { get; }

    /// <summary>The data, split, with both loaders.</summary>
    public EuroSatTrainingData Data { get; }

    /// <summary>The recipe with the run's epochs, batch, optimiser, context and radiometric jitter; null from scratch.</summary>
    public TrainingRecipe? Recipe { get; }

    /// <summary>The <see cref="ModelCatalog"/> architecture trained: the starting model's, the pretrained ResNet18 with a recipe, or the one asked for.</summary>
    public string Architecture { get; }

    /// <summary>The recipe's name with what changes it (<c>fast-continued-context-radiometric</c>, <c>scratch</c>, …).</summary>
    public string RecipeName { get; }

    /// <summary>The run's name in file names, after the architecture.</summary>
    public string Tag { get; }

    /// <summary>How a pretrained RGB network reads the data's bands; null for RGB data and random weights.</summary>
    public BandAdaptation? Adaptation { get; }

    /// <summary>The optimiser (of the first stage for the original recipe).</summary>
    public OptimizerSpec Optimizer { get; }

    /// <summary>Images per step, as the loader makes them.</summary>
    public int BatchSize => Data.Train.Options.BatchSize;

    /// <summary>The steps taken as blocks (<see cref="TrainingRun.Blocks"/>); null for none.</summary>
    public BlockBatches? Blocks => BlocksOf(Run);

    /// <summary>What a checkpoint must match to be resumed: architecture, recipe, seed, batch, optimiser, data, ….</summary>
    public IReadOnlyDictionary<string, string> Identity { get; }

    /// <summary>The file names' stem: <c>&lt;architecture&gt;_&lt;tag&gt;</c>.</summary>
    public string Name => $"{Architecture}_{Tag}";

    /// <summary>The model file the run writes.</summary>
    public string ModelPath => FileNamed(".safetensors");

    /// <summary>The evaluation of the best weights on the validation side (JSON).</summary>
    public string EvaluationPath => FileNamed(".evaluation.json");

    /// <summary>The model card (Markdown).</summary>
    public string CardPath => FileNamed(".md");

    /// <summary>Which file is on which side (CSV).</summary>
    public string SplitPath => FileNamed(".split.csv");

    /// <summary>The starting model's description (<see cref="TrainingRun.InitialModel"/>); null for ImageNet's or random weights.</summary>
    internal ModelDescription? Start { get; }

    internal string OutputFolder => Path.GetFullPath(Run.OutputFolder);

    internal string FileNamed(string extension) => Path.Combine(OutputFolder, Name + extension);

    /// <summary>Trains, evaluates and writes the run's files (<see cref="TrainingRun.Execute"/>).</summary>
    public TrainingRunResult Execute() => TrainingExecution.Execute(this);

    /// <summary>The plan in three lines: the network on the data, the recipe (or batch from scratch), the folder.</summary>
    public override string ToString() =>
        $"{Architecture} on {Data}\n{(Recipe is null ? $"from scratch, batch {BatchSize}" : $"recipe {Recipe}")}\n→ {OutputFolder}";

    internal static TrainingPlan For(TrainingRun run, EuroSatDataset dataset, ModelDescription? start)
    {
        var context = run.Context is > 0 and var p ? new ContextMosaic(p) : null;
        var blocks = BlocksOf(run);
        var recipe = run.Recipe;
        var architecture = start?.Architecture ?? (recipe is null ? run.Architecture : ModelCatalog.PretrainedResNet18Architecture);
        int askedBatch = run.BatchSize ?? recipe?.BatchSize ?? 32;
        var jitter = run.Radiometric is > 0 and var q ? SceneRadiometry.TrainingJitter(SentinelBands.OrderFor(dataset.BandCount), q) : null;
        var data = EuroSatTrainingData.For(dataset,
            start is not null ? _ => start.Preprocessing.Input : recipe is null ? ChannelNormalization.OriginalFor : ChannelNormalization.PretrainedScaleFor,
            askedBatch, run.Seed, augmentation: recipe?.Augmentation, cacheDecoded: true, context: context, radiometric: jitter);
        if (data.Split.Train.Count == 0 || data.Split.Validation.Count == 0)
            throw new UserErrorException($"{dataset.Root}: its {dataset.Samples.Count} patches split into {data.Split.Train.Count} for training and " +
                $"{data.Split.Validation.Count} for validation; both need some (a few patches per class at least).");
        int batchSize = data.Train.Options.BatchSize;
        if (batchSize < askedBatch)
            run.Out.WriteLine($"--batch {askedBatch} is more than the {data.Split.Train.Count} training images: one batch of {batchSize} per step (recorded as such)");
        var dataIdentity = data.Identity();
        if (start is not null) InitialModelCheck.RefuseOtherSplit(run.InitialModel!, start, dataIdentity, run.Seed);
        if (recipe is not null)
        {
            // The original's Adadelta at lr 1.0 diverges on 13 bands; its recipe takes Adam there.
            var recipeOptimizer = OptimizerFor(run.Optimizer, recipe.Name == TrainingRecipe.Original.Name && dataset.Format != PatchFormat.Rgb ? OptimizerSpec.Adam() : recipe.Optimizer);
            recipe = recipe with
            {
                Epochs = run.Epochs ?? recipe.Epochs, BatchSize = batchSize,
                Optimizer = run.LearningRate is { } rate ? recipeOptimizer with { LearningRate = rate } : recipeOptimizer,
                Context = context, Radiometric = jitter, Blocks = blocks,
            };
        }
        if (run.RandomInit && recipe?.Name != TrainingRecipe.Fast.Name)
            throw new UserErrorException("--random-init goes with --recipe fast (the original's stages start from pretrained weights; --model trains from random weights).");
        var adaptation = start is not null ? start.Adaptation : dataset.BandCount == 3 || run.RandomInit ? (BandAdaptation?)null : run.Adaptation;
        var recipeName = (recipe is null ? "scratch" : run.RandomInit ? $"{recipe.Name}-random-init" : adaptation is { } way ? $"{recipe.Name}-{way.ToString().ToLowerInvariant()}" : recipe.Name)
            + (start is not null ? "-continued" : "") + (context is not null ? "-context" : "") + (jitter is not null ? "-radiometric" : "") + (blocks is not null ? "-blocks" : "");
        var tag = run.Tag ?? $"{(dataset.Format == PatchFormat.Rgb ? "rgb" : "ms")}_{recipeName}";
        var optimizer = recipe?.Optimizer ?? OptimizerFor(run.Optimizer, OptimizerSpec.Adam());
        if (recipe is null && run.LearningRate is { } scratchRate) optimizer = optimizer with { LearningRate = scratchRate };
        var identity = IdentityOf(run, architecture, recipeName, adaptation, batchSize, optimizer, dataIdentity, context, jitter, blocks);
        return new TrainingPlan(run, data, start, recipe, architecture, recipeName, tag, adaptation, optimizer, identity);
    }

    static Dictionary<string, string> IdentityOf(TrainingRun run, string architecture, string recipeName, BandAdaptation? adaptation, int batchSize,
        OptimizerSpec optimizer, DataIdentity data, ContextMosaic? context, RadiometricJitter? jitter, BlockBatches? blocks)
    {
        var identity = new Dictionary<string, string>
        {
            ["architecture"] = architecture, ["recipe"] = recipeName, ["adaptation"] = adaptation?.ToString() ?? "none",
            ["seed"] = run.Seed.ToString(CultureInfo.InvariantCulture), ["batch"] = batchSize.ToString(CultureInfo.InvariantCulture), ["optimizer"] = optimizer.Name,
            ["learning rate"] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["steps per epoch"] = run.StepsPerEpoch?.ToString(CultureInfo.InvariantCulture) ?? "one pass", ["data"] = $"{data.Files} files, {data.Digest[..16]}",
        };
        // Only when set, so that checkpoints of runs without them still resume.
        if (run.InitialModel is not null) identity["initial weights"] = Path.GetFileName(run.InitialModel);
        // A recipe's schedule (the cosine decay, the stages) is laid over its epochs: another epoch count on a started or finished run
        // would continue on the old schedule, and the card's command would not reproduce it. Recorded only when given, so that
        // runs on the recipe's default still resume.
        if (run.Recipe is not null && run.Epochs is { } givenEpochs) identity["epochs"] = givenEpochs.ToString(CultureInfo.InvariantCulture);
        if (context is not null) identity["context"] = context.Probability.ToString("R", CultureInfo.InvariantCulture);
        if (jitter is not null) identity["radiometric"] = jitter.Probability.ToString("R", CultureInfo.InvariantCulture);
        if (blocks is not null) identity["blocks"] = blocks.Share.ToString("R", CultureInfo.InvariantCulture);
        // bfloat16 steps give other weights than float32's; recorded only then, so that float32 checkpoints still resume.
        if (run.Precision != ComputePrecision.Float32) identity["precision"] = run.Precision.ToString();
        return identity;
    }

    static BlockBatches? BlocksOf(TrainingRun run) => run.Blocks is > 0 and var share ? new BlockBatches(share) : null;

    /// <summary>The optimiser <paramref name="name"/> names, with its library defaults (<see cref="OptimizerSpec.Named"/>); <paramref name="fallback"/> when none is named.</summary>
    static OptimizerSpec OptimizerFor(string? name, OptimizerSpec fallback) => name is null ? fallback : OptimizerSpec.Named(name);
}
