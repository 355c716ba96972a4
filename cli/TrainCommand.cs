using System.CommandLine;
using CnnSentinel;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Training;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel train</c>: trains a network on a EuroSAT folder for long runs outside a notebook, and saves it as a
/// model file (<see cref="ModelFile"/>), through <see cref="TrainingRun"/>. Rerunning the same command after an
/// interruption resumes from the last checkpoint.
/// </summary>
static class TrainCommand
{
    static readonly Option<DirectoryInfo> Data = new("--data") { Description = "EuroSAT folder (RGB JPEG or 13-band GeoTIFF, one folder per class).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Root, "data", "eurosat-rgb")) };
    static readonly Option<string?> Recipe = new("--recipe") { Description = "Fine-tune the offline ImageNet ResNet18: 'original' (the original's two stages) or 'fast' (full fine-tuning, see README)." };
    static readonly Option<string> Model = new("--model") { Description = $"Architecture trained from scratch (without --recipe): {string.Join(", ", ModelCatalog.Architectures)}.", DefaultValueFactory = _ => "resnet18" };
    static readonly Option<bool> Pretrained = new("--pretrained") { Description = "Same as --recipe original." };
    static readonly Option<BandAdaptation> Adaptation = new("--adaptation") { Description = "For 13-band data with a recipe: Adapter, ReplaceFirstConvolution or Inflate.", DefaultValueFactory = _ => BandAdaptation.Inflate };
    static readonly Option<int?> Epochs = new("--epochs") { Description = "Epochs (of each stage for the original recipe; default: the recipe's, 10 from scratch)." };
    static readonly Option<int?> Steps = new("--steps") { Description = "Steps per epoch (default: one pass over the training split)." };
    static readonly Option<int?> Batch = new("--batch") { Description = "Batch size (default: the recipe's, 32 from scratch)." };
    static readonly Option<string?> Optimizer = new("--optimizer") { Description = "adam, adamw, adadelta or sgd, with the library's defaults (sgd: lr 1e-4, momentum 0.9, as the original fine-tuned); default: the recipe's, adam from scratch." };
    static readonly Option<double?> LearningRate = new("--lr") { Description = "Learning rate (default: the recipe's or the optimiser's usual one)." };
    static readonly Option<int?> Patience = new("--patience") { Description = "Early stopping after this many epochs without a better validation accuracy." };
    static readonly Option<int> Seed = new("--seed") { Description = "Seed of the split, the shuffles, the augmentation and the initial weights.", DefaultValueFactory = _ => 42 };
    static readonly Option<DirectoryInfo> Output = new("--out") { Description = "Folder for checkpoints, history, evaluation and the model file.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "models")) };
    static readonly Option<string?> Tag = new("--tag") { Description = "Run name in file names (default: <format>_<recipe|scratch>)." };
    static readonly Option<bool> RandomInit = new("--random-init") { Description = "With --recipe: the same network and recipe from random weights instead of ImageNet's (the from-scratch baseline)." };
    static readonly Option<bool> Half = new("--half") { Description = "Store the model file's weights as float16 (half the size)." };
    static readonly Option<string> Device = DeviceOption.Create();
    static readonly Option<string> Precision = PrecisionOption.Create();
    static readonly Option<FileInfo?> Init = new("--init") { Description = "Start from this model file's weights instead of ImageNet's or random ones; it must have been trained on the same data and split (--data, --seed), so that its validation images stay unseen (e.g. to continue a patch classifier with --context for maps)." };
    static readonly Option<double?> Context = new("--context") { Description = "For maps: the share of training images (0 to 1) shown among other patches, through the window centred on a random pixel of theirs (context mosaic; default none)." };
    static readonly Option<double?> Blocks = new("--blocks") { Description = "For dense maps with a padded network (ResNet18): the share of training steps (0 to 1) that lay the batch's images side by side in 4 × 4 blocks, the convolutional part run once over each block and the head on each image's own cells, as dense classification computes a scene (default none)." };
    static readonly Option<double?> Radiometric = new("--radiometric") { Description = "For real scenes: the share of training images (0 to 1) whose values are changed as another processing level (Level-2A), haze or product scaling (TCI) would change them (radiometric jitter; default none)." };
    static readonly Option<bool> CheckData = new("--check-data") { Description = "Decode every patch before training and stop with the list of damaged files (otherwise a damaged patch stops training when the loader reaches it)." };

    public static Command Create()
    {
        var command = new Command("train", "Train a network on a EuroSAT folder and save it as a model file; rerun the same command to resume an interrupted run.")
        {
            Data, Recipe, Model, Pretrained, Adaptation, Epochs, Steps, Batch, Optimizer, LearningRate, Patience, Seed, Output, Tag, RandomInit, Init, Context, Radiometric, Blocks, Half, CheckData, Device, Precision,
        };
        command.SetAction(parse => CommandErrors.Run("train", () =>
        {
            RunFrom(parse).Execute();
            return 0;
        }));
        return command;
    }

    /// <summary>The training run the options ask for; loads torch to resolve the device.</summary>
    static TrainingRun RunFrom(ParseResult parse)
    {
        TorchRuntime.EnsureLoaded();
        return new TrainingRun
        {
            Data = parse.GetValue(Data)!.FullName, OutputFolder = parse.GetValue(Output)!.FullName,
            Recipe = parse.GetValue(Recipe) is { } name ? TrainingRecipe.Named(name) : parse.GetValue(Pretrained) ? TrainingRecipe.Original : null,
            Architecture = parse.GetValue(Model)!, Adaptation = parse.GetValue(Adaptation),
            Epochs = parse.GetValue(Epochs), StepsPerEpoch = parse.GetValue(Steps), BatchSize = parse.GetValue(Batch),
            Optimizer = parse.GetValue(Optimizer), LearningRate = parse.GetValue(LearningRate), Patience = parse.GetValue(Patience),
            Seed = parse.GetValue(Seed), Tag = parse.GetValue(Tag), RandomInit = parse.GetValue(RandomInit), InitialModel = parse.GetValue(Init)?.FullName,
            Context = parse.GetValue(Context), Radiometric = parse.GetValue(Radiometric), Blocks = parse.GetValue(Blocks), HalfPrecisionFile = parse.GetValue(Half), CheckData = parse.GetValue(CheckData),
            Device = DeviceOption.Resolve(parse, Device), Precision = PrecisionOption.Resolve(parse, Precision, "train"),
            ReproduceCommand = "dotnet run -c Release --project cli -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quoted)),
        };
    }

    static string Quoted(string argument) => argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$') ? $"'{argument.Replace("'", "'\\''")}'" : argument;
}
