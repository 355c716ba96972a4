using CnnSentinel.Datasets;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// What <c>cnnsentinel train</c> does, as one specification a notebook can run too: a EuroSAT folder, a recipe (or an
/// architecture from scratch) and its settings. <see cref="Plan"/> checks the settings and the data and names the run;
/// <see cref="Execute"/> trains (resuming from the run's checkpoints), evaluates the best weights on the validation side
/// and writes the model file, its description, evaluation, card and split into <see cref="OutputFolder"/>.
/// </summary>
/// <example>
/// <code>
/// var result = new TrainingRun { Data = "data/eurosat-rgb", Recipe = TrainingRecipe.Fast, OutputFolder = "out/models" }.Execute();
/// result.Evaluation.Confusion
/// </code>
/// </example>
public sealed record TrainingRun
{
    /// <summary>The EuroSAT folder (RGB JPEG or 13-band GeoTIFF, one folder per class).</summary>
    public required string Data { get; init; }

    /// <summary>Where checkpoints, history, evaluation and the model file go.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Fine-tune the offline ImageNet ResNet18 by this recipe; null trains <see cref="Architecture"/> from scratch.</summary>
    public TrainingRecipe? Recipe { get; init; }

    /// <summary>The <see cref="ModelCatalog"/> architecture trained from scratch (without a recipe).</summary>
    public string Architecture { get; init; } = "resnet18";

    /// <summary>For 13-band data with a recipe: how the RGB network reads them.</summary>
    public BandAdaptation Adaptation { get; init; } = BandAdaptation.Inflate;

    /// <summary>Epochs (of each stage for the original recipe); null: the recipe's, 10 from scratch.</summary>
    public int? Epochs { get; init; }

    /// <summary>Steps per epoch; null: one pass over the training split.</summary>
    public int? StepsPerEpoch { get; init; }

    /// <summary>Images per step; null: the recipe's, 32 from scratch. Cut to the training images when larger.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The optimiser by name (<see cref="OptimizerSpec.Named"/>), with the library's defaults; null: the recipe's, adam from scratch.</summary>
    public string? Optimizer { get; init; }

    /// <summary>The learning rate; null: the recipe's or the optimiser's usual one.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Stop after this many epochs without a better validation accuracy; null: the recipe's, none from scratch.</summary>
    public int? Patience { get; init; }

    /// <summary>Seed of the split, the shuffles, the augmentation and the initial weights.</summary>
    public int Seed { get; init; } = StratifiedRandomSplit.DefaultSeed;

    /// <summary>The run's name in file names; null: <c>&lt;format&gt;_&lt;recipe|scratch&gt;</c>.</summary>
    public string? Tag { get; init; }

    /// <summary>With the fast recipe: the same network from random weights instead of ImageNet's (the from-scratch baseline).</summary>
    public bool RandomInit { get; init; }

    /// <summary>
    /// A model file written by a training run on the same data and split to start from, instead of ImageNet's or random
    /// weights (e.g. to continue a patch classifier with <see cref="Context"/> for maps); null for none.
    /// </summary>
    public string? InitialModel { get; init; }

    /// <summary>For maps: the share of training images (0 to 1) shown among other patches (<see cref="ContextMosaic"/>); null or 0 for none.</summary>
    public double? Context { get; init; }

    /// <summary>For real scenes: the share of training images (0 to 1) changed as other processing levels would (<see cref="RadiometricJitter"/>); null or 0 for none.</summary>
    public double? Radiometric { get; init; }

    /// <summary>For dense maps with a padded network: the share of training steps (0 to 1) taken as blocks of the batch's images side by side (<see cref="BlockBatches"/>); null or 0 for none.</summary>
    public double? Blocks { get; init; }

    /// <summary>Store the model file's weights as float16 (half the size); the evaluation is of the rounded weights.</summary>
    public bool HalfPrecisionFile { get; init; }

    /// <summary>Decode every patch before training and stop with the list of damaged files.</summary>
    public bool CheckData { get; init; }

    /// <summary>Where to compute; the CPU when null.</summary>
    public Device? Device { get; init; }

    /// <summary>
    /// The number format of the optimiser steps (<see cref="TrainerOptions.Precision"/>): float32, or bfloat16 mixed precision,
    /// about twice as fast on a CPU with bfloat16 instructions, each epoch's validation computed so too; the final
    /// evaluation and the model file are float32 either way.
    /// </summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Float32;

    /// <summary>The command the model card gives to reproduce the run; null: none given.</summary>
    public string? ReproduceCommand { get; init; }

    /// <summary>Where the run's lines go (plan, warnings, figures, files); null: whatever <see cref="Console.Out"/> is at each line.</summary>
    public TextWriter? Log { get; init; }

    internal TextWriter Out => Log ?? Console.Out;

    /// <summary>
    /// Checks the settings, opens and splits the data (decoding every patch first with <see cref="CheckData"/>) and names
    /// the run; nothing is written.
    /// </summary>
    /// <exception cref="UserErrorException">A setting is out of range, the settings exclude each other, or the starting model does not fit the data.</exception>
    /// <exception cref="InvalidDataException">A patch is damaged (with <see cref="CheckData"/>).</exception>
    public TrainingPlan Plan()
    {
        CheckSettings();
        var start = InitialModel is null ? null : ModelFile.ReadDescription(InitialModel);
        if (start is not null && start.Training is null)
            throw new UserErrorException($"{Path.GetFullPath(InitialModel!)}: the model file records no training, so it cannot tell which images it was validated on; --init needs one written by `train`.");
        if (start is not null && RandomInit) throw new UserErrorException("--init and --random-init exclude each other.");
        var dataset = EuroSatDataset.Open(Path.GetFullPath(Data));
        if (CheckData)
        {
            Out.WriteLine($"checking {dataset.Samples.Count} patches …");
            if (dataset.FindInvalidPatches() is { Count: > 0 } problems)
                throw new InvalidDataException($"{problems.Count} damaged patch(es): {string.Join("; ", problems.Take(10).Select(p => p.Message))}{(problems.Count > 10 ? "; …" : "")}");
        }
        if (start is not null) InitialModelCheck.RefuseOtherBands(InitialModel!, start, dataset);
        return TrainingPlan.For(this, dataset, start);
    }

    /// <summary>
    /// Plans the run (<see cref="Plan"/>), says what it will do, trains, evaluates and writes its files; rerunning the same
    /// run after an interruption resumes from its last checkpoint. One run per model name and folder at a time.
    /// </summary>
    /// <returns>The trained network (on the CPU), its history, evaluation, description and files.</returns>
    /// <exception cref="UserErrorException">As <see cref="Plan"/>; or another run of the same name holds the folder.</exception>
    public TrainingRunResult Execute() => Plan().Execute();

    void CheckSettings()
    {
        if (LearningRate is { } rate && !(rate > 0 && double.IsFinite(rate)))
            throw new UserErrorException($"--lr {rate}: the learning rate must be a positive number.");
        if (Epochs is < 1) throw new UserErrorException("--epochs must be at least 1.");
        if (BatchSize is < 1) throw new UserErrorException("--batch must be at least 1.");
        if (StepsPerEpoch is < 1) throw new UserErrorException("--steps must be at least 1.");
        if (Context is { } share && !(share is >= 0 and <= 1)) throw new UserErrorException($"--context {share}: the share of images must be between 0 and 1.");
        if (Radiometric is { } changed && !(changed is >= 0 and <= 1)) throw new UserErrorException($"--radiometric {changed}: the share of images must be between 0 and 1.");
        if (Blocks is { } steps && !(steps is >= 0 and <= 1)) throw new UserErrorException($"--blocks {steps}: the share of steps must be between 0 and 1.");
    }
}
