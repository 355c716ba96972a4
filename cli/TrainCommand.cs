using System.CommandLine;
using System.Diagnostics;
using CnnSentinel;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.IO;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Training;
using CnnSentinel.Transforms;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel train</c>: trains a network on a EuroSAT folder for long runs outside a notebook, and saves it as a
/// model file (<see cref="ModelFile"/>). Rerunning the same command after an interruption resumes from the last checkpoint.
/// </summary>
static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "EuroSAT folder (RGB JPEG or 13-band GeoTIFF, one folder per class).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Root, "data", "eurosat-rgb")) };
        var recipe = new Option<string?>("--recipe") { Description = "Fine-tune the offline ImageNet ResNet18: 'original' (the original's two stages) or 'fast' (full fine-tuning, see README)." };
        var model = new Option<string>("--model") { Description = $"Architecture trained from scratch (without --recipe): {string.Join(", ", ModelCatalog.Architectures)}.", DefaultValueFactory = _ => "resnet18" };
        var pretrained = new Option<bool>("--pretrained") { Description = "Same as --recipe original." };
        var adaptation = new Option<BandAdaptation>("--adaptation") { Description = "For 13-band data with a recipe: Adapter, ReplaceFirstConvolution or Inflate.", DefaultValueFactory = _ => BandAdaptation.Inflate };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (of each stage for the original recipe; default: the recipe's, 10 from scratch)." };
        var steps = new Option<int?>("--steps") { Description = "Steps per epoch (default: one pass over the training split)." };
        var batch = new Option<int?>("--batch") { Description = "Batch size (default: the recipe's, 32 from scratch)." };
        var optimizer = new Option<string?>("--optimizer") { Description = "adam, adamw, adadelta or sgd, with the library's defaults (sgd: lr 1e-4, momentum 0.9, as the original fine-tuned); default: the recipe's, adam from scratch." };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: the recipe's or the optimiser's usual one)." };
        var patience = new Option<int?>("--patience") { Description = "Early stopping after this many epochs without a better validation accuracy." };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the shuffles, the augmentation and the initial weights.", DefaultValueFactory = _ => 42 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for checkpoints, history, evaluation and the model file.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "models")) };
        var tag = new Option<string?>("--tag") { Description = "Run name in file names (default: <format>_<recipe|scratch>)." };
        var randomInit = new Option<bool>("--random-init") { Description = "With --recipe: the same network and recipe from random weights instead of ImageNet's (the from-scratch baseline)." };
        var half = new Option<bool>("--half") { Description = "Store the model file's weights as float16 (half the size)." };
        var device = DeviceOption.Create();
        var init = new Option<FileInfo?>("--init") { Description = "Start from this model file's weights instead of ImageNet's or random ones; it must have been trained on the same data and split (--data, --seed), so that its validation images stay unseen (e.g. to continue a patch classifier with --context for maps)." };
        var context = new Option<double?>("--context") { Description = "For maps: the share of training images (0 to 1) shown among other patches, through the window centred on a random pixel of theirs (context mosaic; default none)." };
        var radiometric = new Option<double?>("--radiometric") { Description = "For real scenes: the share of training images (0 to 1) whose values are changed as another processing level (Level-2A), haze or product scaling (TCI) would change them (radiometric jitter; default none)." };
        var checkData = new Option<bool>("--check-data") { Description = "Decode every patch before training and stop with the list of damaged files (otherwise a damaged patch stops training when the loader reaches it)." };
        var command = new Command("train", "Train a network on a EuroSAT folder and save it as a model file; rerun the same command to resume an interrupted run.")
        {
            data, recipe, model, pretrained, adaptation, epochs, steps, batch, optimizer, lr, patience, seed, output, tag, randomInit, init, context, radiometric, half, checkData, device,
        };
        command.SetAction(parse => CommandErrors.Run("train", () =>
        {
            if (parse.GetValue(lr) is { } askedRate && !(askedRate > 0 && double.IsFinite(askedRate)))
                throw new UserErrorException($"--lr {askedRate}: the learning rate must be a positive number.");
            if (parse.GetValue(epochs) is < 1) throw new UserErrorException("--epochs must be at least 1.");
            if (parse.GetValue(batch) is < 1) throw new UserErrorException("--batch must be at least 1.");
            if (parse.GetValue(steps) is < 1) throw new UserErrorException("--steps must be at least 1.");
            if (parse.GetValue(context) is { } share && !(share is >= 0 and <= 1)) throw new UserErrorException($"--context {share}: the share of images must be between 0 and 1.");
            var contextMosaic = parse.GetValue(context) is > 0 and var p ? new ContextMosaic(p) : null;
            if (parse.GetValue(radiometric) is { } changed && !(changed is >= 0 and <= 1)) throw new UserErrorException($"--radiometric {changed}: the share of images must be between 0 and 1.");
            var initFile = parse.GetValue(init);
            var start = initFile is null ? null : ModelFile.ReadDescription(initFile.FullName);
            if (initFile is not null && start!.Training is null)
                throw new UserErrorException($"{initFile.FullName}: the model file records no training, so it cannot tell which images it was validated on; --init needs one written by `train`.");
            if (initFile is not null && parse.GetValue(randomInit)) throw new UserErrorException("--init and --random-init exclude each other.");
            TorchRuntime.EnsureLoaded();
            var computeDevice = DeviceOption.Resolve(parse, device);
            int runSeed = parse.GetValue(seed);
            TorchSharp.torch.manual_seed(runSeed);
            var chosen = parse.GetValue(recipe) is { } name ? TrainingRecipe.Named(name) : parse.GetValue(pretrained) ? TrainingRecipe.Original : null;
            var architecture = start?.Architecture ?? (chosen is null ? parse.GetValue(model)! : ModelCatalog.PretrainedResNet18Architecture);
            int batchSize = parse.GetValue(batch) ?? chosen?.BatchSize ?? 32;
            var folder = parse.GetValue(data)!.FullName;
            var dataset = EuroSatDataset.Open(folder);
            if (parse.GetValue(checkData))
            {
                Console.WriteLine($"checking {dataset.Samples.Count} patches …");
                if (dataset.FindInvalidPatches() is { Count: > 0 } problems)
                    throw new InvalidDataException($"{problems.Count} damaged patch(es): {string.Join("; ", problems.Take(10).Select(p => p.Message))}{(problems.Count > 10 ? "; …" : "")}");
            }
            if (start is not null) RefuseOtherBands(initFile!, start, dataset);
            var jitter = parse.GetValue(radiometric) is > 0 and var q ? SceneRadiometry.TrainingJitter(SentinelBands.OrderFor(dataset.BandCount), q) : null;
            var training = EuroSatTrainingData.For(dataset,
                start is not null ? _ => start.Preprocessing.Input : chosen is null ? ChannelNormalization.OriginalFor : ChannelNormalization.PretrainedScaleFor,
                batchSize, runSeed, augmentation: chosen?.Augmentation, cacheDecoded: true, context: contextMosaic, radiometric: jitter);
            if (training.Split.Train.Count == 0 || training.Split.Validation.Count == 0)
                throw new UserErrorException($"{folder}: its {dataset.Samples.Count} patches split into {training.Split.Train.Count} for training and " +
                    $"{training.Split.Validation.Count} for validation; both need some (a few patches per class at least).");
            if (training.Train.Options.BatchSize < batchSize)
                Console.WriteLine($"--batch {batchSize} is more than the {training.Split.Train.Count} training images: one batch of {training.Train.Options.BatchSize} per step (recorded as such)");
            batchSize = training.Train.Options.BatchSize;
            var dataIdentity = training.Identity();
            if (start is not null) RefuseOtherSplit(initFile!, start, dataIdentity, runSeed);
            if (chosen is not null)
            {
                var recipeOptimizer = OptimizerFor(parse.GetValue(optimizer), chosen.Name == TrainingRecipe.Original.Name && dataset.Format != PatchFormat.Rgb ? OptimizerSpec.Adam() : chosen.Optimizer);
                chosen = chosen with
                {
                    Epochs = parse.GetValue(epochs) ?? chosen.Epochs, BatchSize = batchSize,
                    Optimizer = parse.GetValue(lr) is { } rate ? recipeOptimizer with { LearningRate = rate } : recipeOptimizer,
                    Context = contextMosaic, Radiometric = jitter,
                };
            }
            bool random = parse.GetValue(randomInit);
            if (random && chosen?.Name != TrainingRecipe.Fast.Name)
                throw new UserErrorException("--random-init goes with --recipe fast (the original's stages start from pretrained weights; --model trains from random weights).");
            var adapted = start is not null ? start.Adaptation : dataset.BandCount == 3 || random ? (BandAdaptation?)null : parse.GetValue(adaptation);
            var network = start is not null ? ModelFile.Load(initFile!.FullName).Model
                : chosen is not null && !random ? ModelCatalog.PretrainedResNet18(dataset.Classes.Count, dataset.BandCount, adapted ?? BandAdaptation.Inflate)
                : ModelCatalog.Create(architecture, dataset.Classes.Count, dataset.BandCount);

            var recipeName = (chosen is null ? "scratch" : random ? $"{chosen.Name}-random-init" : adapted is { } way ? $"{chosen.Name}-{way.ToString().ToLowerInvariant()}" : chosen.Name)
                + (start is not null ? "-continued" : "") + (contextMosaic is not null ? "-context" : "") + (jitter is not null ? "-radiometric" : "");
            var runTag = parse.GetValue(tag) ?? $"{(dataset.Format == PatchFormat.Rgb ? "rgb" : "ms")}_{recipeName}";
            var dir = parse.GetValue(output)!.FullName;
            Console.WriteLine($"{architecture} on {training}");
            Console.WriteLine(chosen is null ? $"from scratch, batch {batchSize}" : $"recipe {chosen}");
            Console.WriteLine($"→ {dir}");
            // One run per model name and folder: two at once would mix one run's model with the other's split.
            using var outputLock = OutputLock.Acquire(Path.Combine(dir, $"{architecture}_{runTag}.lock"), $"train of {architecture}_{runTag} into {dir}");
            foreach (var stale in TemporaryFiles.RemoveStale(dir)) Console.WriteLine($"removed {stale}, left by a run that was stopped");
            var splitPath = Path.Combine(dir, $"{architecture}_{runTag}.split.csv");
            training.Split.Write(splitPath);
            var spec = chosen?.Optimizer ?? OptimizerFor(parse.GetValue(optimizer), OptimizerSpec.Adam());
            if (chosen is null && parse.GetValue(lr) is { } scratchRate) spec = spec with { LearningRate = scratchRate };
            var identity = new Dictionary<string, string>
            {
                ["architecture"] = architecture, ["recipe"] = recipeName, ["adaptation"] = adapted?.ToString() ?? "none",
                ["seed"] = runSeed.ToString(), ["batch"] = batchSize.ToString(), ["optimizer"] = spec.Name,
                ["learning rate"] = spec.LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["steps per epoch"] = parse.GetValue(steps)?.ToString() ?? "one pass", ["data"] = $"{dataIdentity.Files} files, {dataIdentity.Digest[..16]}",
            };
            // Only when set, so that checkpoints of runs without them still resume.
            if (initFile is not null) identity["initial weights"] = initFile.Name;
            // A recipe's schedule (the cosine decay, the stages) is laid over its epochs: another --epochs on a started or finished run
            // would continue on the old schedule, and the card's command would not reproduce it. Recorded only when given, so that
            // runs on the recipe's default still resume.
            if (chosen is not null && parse.GetValue(epochs) is { } givenEpochs) identity["epochs"] = givenEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (contextMosaic is not null) identity["context"] = contextMosaic.Probability.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            if (jitter is not null) identity["radiometric"] = jitter.Probability.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            var progress = new ConsoleProgress();
            IReadOnlyList<EpochRecord> history;
            if (chosen is not null)
            {
                history = chosen.Train(network, training.Train, training.Validation, architecture, runTag, dir,
                    o => o with { StepsPerEpoch = parse.GetValue(steps), Progress = progress, Device = computeDevice, EarlyStoppingPatience = parse.GetValue(patience) ?? o.EarlyStoppingPatience, RunIdentity = identity });
            }
            else
            {
                history = Trainer.Fit(network, training.Train, training.Validation, new TrainerOptions
                {
                    ModelName = architecture, Tag = runTag, Epochs = parse.GetValue(epochs) ?? 10, StepsPerEpoch = parse.GetValue(steps),
                    Optimizer = spec, EarlyStoppingPatience = parse.GetValue(patience), CheckpointDirectory = dir, Progress = progress, RunIdentity = identity,
                    Device = computeDevice,
                }).History;
            }
            var trainingSeconds = clock.Elapsed.TotalSeconds;

            // Figures of the weights as stored: a float16 file's rounding is applied before evaluating.
            if (parse.GetValue(half)) ModelFile.RoundToHalf(network);
            bool tta = chosen?.TestTimeAugmentation ?? false;
            var report = Evaluator.Evaluate(network, training.Validation.Batches(0), dataset.Classes, tta, computeDevice);
            ComputeDevice.MoveTo(network, TorchSharp.torch.CPU); // model files are written from CPU tensors
            var reportPath = Path.Combine(dir, $"{architecture}_{runTag}.evaluation.json");
            report.Save(reportPath);
            var description = training.Describe(architecture, network, adapted,
                new TrainingProvenance(chosen is null ? $"scratch: {architecture}{(contextMosaic is not null ? $", {contextMosaic}" : "")}{(jitter is not null ? $", {jitter}" : "")}" : random ? $"{chosen.Name} from random weights: {chosen.ToString()[(chosen.Name.Length + 2)..]}" : chosen.ToString(), runSeed, batchSize, history.Count, history.Sum(r => r.Images),
                    history.Sum(r => r.Seconds), MachineDescription.Current, dataIdentity,
                    new ValidationFigures(report.Confusion.OverallAccuracy, report.Confusion.Kappa, report.Predictions.Count, tta))
                {
                    ContinuedFromFile = initFile?.Name, ContinuedFrom = start?.Training,
                });
            var modelPath = Path.Combine(dir, $"{architecture}_{runTag}.safetensors");
            ModelFile.Save(network, modelPath, description, parse.GetValue(half));
            ResultsTable.WriteDescription(description, Path.ChangeExtension(modelPath, ResultsTable.DescriptionExtension));
            var cardPath = Path.ChangeExtension(modelPath, ".md");
            AtomicFile.WriteAllText(cardPath, ModelCard.Markdown(Path.GetFileName(modelPath), description, report,
                "dotnet run -c Release --project cli -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quoted))));
            Console.WriteLine($"best weights: overall accuracy {report.Confusion.OverallAccuracy:0.0000}, kappa {report.Confusion.Kappa:0.0000} on {report.Predictions.Count} validation images{(tta ? " (8-view test-time augmentation)" : "")}; " +
                $"{history.Count} epochs in all, {trainingSeconds:0} s this run");
            Console.WriteLine($"evaluation: {reportPath}");
            Console.WriteLine($"model file: {modelPath}");
            Console.WriteLine($"model card: {cardPath}");
            Console.WriteLine($"split: {splitPath}");
            return 0;
        }));
        return command;
    }

    /// <summary>Refuses a starting model (<c>--init</c>) that reads other bands or gives other classes than <paramref name="dataset"/>.</summary>
    static void RefuseOtherBands(FileInfo file, ModelDescription start, EuroSatDataset dataset)
    {
        var differences = new List<string>();
        if (!start.Bands.SequenceEqual(dataset.BandNames)) differences.Add($"its bands are {string.Join(",", start.Bands)}, the data's {string.Join(",", dataset.BandNames)}");
        if (!start.Classes.SequenceEqual(dataset.Classes)) differences.Add($"its classes are {string.Join(",", start.Classes)}, the data's {string.Join(",", dataset.Classes)}");
        RefuseIfAny(file, differences);
    }

    /// <summary>
    /// Refuses a starting model (<c>--init</c>) trained on other files or another split: its validation images could be on
    /// this run's training side, and this run's validation figures would be too good.
    /// </summary>
    static void RefuseOtherSplit(FileInfo file, ModelDescription start, DataIdentity data, int seed)
    {
        var was = start.Training!;
        var differences = new List<string>();
        if (was.Data.Digest != data.Digest) differences.Add($"its data were {was.Data.Files} files of '{was.Data.Folder}', these are {data.Files} files of '{data.Folder}' (another file list)");
        if (was.Seed != seed) differences.Add($"its split seed was {was.Seed}, this run's is {seed}");
        if (Math.Abs(was.Data.ValidationFraction - data.ValidationFraction) > 1e-9) differences.Add($"it held out {was.Data.ValidationFraction:0.###} for validation, this run {data.ValidationFraction:0.###}");
        RefuseIfAny(file, differences);
    }

    static void RefuseIfAny(FileInfo file, List<string> differences)
    {
        if (differences.Count > 0)
            throw new UserErrorException($"{file.FullName}: --init needs a model trained on the same data and split, so that its validation images stay unseen: {string.Join("; ", differences)}.");
    }

    static string Quoted(string argument) => argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$') ? $"'{argument.Replace("'", "'\\''")}'" : argument;

    /// <summary>The optimiser <c>--optimizer</c> names, with its library defaults (<see cref="OptimizerSpec.Named"/>); <paramref name="fallback"/> when none is named.</summary>
    static OptimizerSpec OptimizerFor(string? name, OptimizerSpec fallback) => name is null ? fallback : OptimizerSpec.Named(name);
}
