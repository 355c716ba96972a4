using System.CommandLine;
using System.Diagnostics;
using CnnSentinel;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Training;
using CnnSentinel.Transforms;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel train</c>: trains a network on a EuroSAT folder for long runs outside a notebook.
/// Rerunning the same command after an interruption resumes from the last checkpoint.
/// </summary>
static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "EuroSAT folder (RGB JPEG or 13-band GeoTIFF, one folder per class).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Root, "data", "eurosat-rgb")) };
        var model = new Option<string>("--model") { Description = $"Architecture: {string.Join(", ", ModelCatalog.Architectures)}.", DefaultValueFactory = _ => "resnet18" };
        var pretrained = new Option<bool>("--pretrained") { Description = "Start from the offline ImageNet ResNet18 (resnet18 only) and fine-tune in two stages, as the original." };
        var adaptation = new Option<BandAdaptation>("--adaptation") { Description = "For 13-band data with --pretrained: Adapter, ReplaceFirstConvolution or Inflate.", DefaultValueFactory = _ => BandAdaptation.Inflate };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (of each stage with --pretrained).", DefaultValueFactory = _ => 10 };
        var steps = new Option<int?>("--steps") { Description = "Steps per epoch (default: one pass over the training split)." };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 32 };
        var optimizer = new Option<string>("--optimizer") { Description = "adam, adamw, adadelta or sgd (from scratch).", DefaultValueFactory = _ => "adam" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: the optimiser's usual one)." };
        var patience = new Option<int?>("--patience") { Description = "Early stopping after this many epochs without a better validation accuracy." };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the shuffles, the augmentation and the initial weights.", DefaultValueFactory = _ => 42 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for checkpoints, history and evaluation.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "models")) };
        var tag = new Option<string?>("--tag") { Description = "Run name in file names (default: <format>_<transfer|scratch>)." };
        var command = new Command("train", "Train a network on a EuroSAT folder; rerun the same command to resume an interrupted run.")
        {
            data, model, pretrained, adaptation, epochs, steps, batch, optimizer, lr, patience, seed, output, tag,
        };
        command.SetAction(parse => CommandErrors.Run("train", () =>
        {
            TorchRuntime.EnsureLoaded();
            TorchSharp.torch.manual_seed(parse.GetValue(seed));
            bool transfer = parse.GetValue(pretrained);
            var architecture = parse.GetValue(model)!;
            if (transfer && architecture != "resnet18")
                throw new ArgumentException("--pretrained is available for resnet18 only (its ImageNet weights ship offline).");
            var training = EuroSatTrainingData.Open(parse.GetValue(data)!.FullName,
                transfer ? ChannelNormalization.PretrainedScaleFor : ChannelNormalization.OriginalFor,
                parse.GetValue(batch), parse.GetValue(seed));
            var (dataset, trainLoader, validationLoader) = (training.Dataset, training.Train, training.Validation);
            var network = transfer
                ? ModelCatalog.PretrainedResNet18(dataset.Classes.Count, dataset.BandCount, parse.GetValue(adaptation))
                : ModelCatalog.Create(architecture, dataset.Classes.Count, dataset.BandCount);

            var runTag = parse.GetValue(tag) ?? $"{(dataset.Format == PatchFormat.Rgb ? "rgb" : "ms")}_{(transfer ? "transfer" : "scratch")}";
            var dir = parse.GetValue(output)!.FullName;
            Console.WriteLine($"{architecture} on {training} → {dir}");
            var clock = Stopwatch.StartNew();
            var progress = new ConsoleProgress();
            IReadOnlyList<EpochRecord> history;
            if (transfer)
            {
                var plan = FineTuningPlan.For(network, architecture, runTag, parse.GetValue(epochs), dir,
                        dataset.Format == PatchFormat.Rgb ? OptimizerSpec.Adadelta() : OptimizerSpec.Adam())
                    .WithBoth(o => o with { StepsPerEpoch = parse.GetValue(steps), Progress = progress, EarlyStoppingPatience = parse.GetValue(patience) ?? o.EarlyStoppingPatience });
                history = FineTuning.Run(network, trainLoader, validationLoader, plan).History;
            }
            else
            {
                var spec = parse.GetValue(optimizer) switch
                {
                    "adadelta" => OptimizerSpec.Adadelta(),
                    "sgd" => OptimizerSpec.Sgd(0.01),
                    "adamw" => OptimizerSpec.AdamW(),
                    "adam" => OptimizerSpec.Adam(),
                    var other => throw new ArgumentException($"Unknown optimiser '{other}': use adam, adamw, adadelta or sgd."),
                };
                if (parse.GetValue(lr) is { } rate) spec = spec with { LearningRate = rate };
                history = Trainer.Fit(network, trainLoader, validationLoader, new TrainerOptions
                {
                    ModelName = architecture, Tag = runTag, Epochs = parse.GetValue(epochs), StepsPerEpoch = parse.GetValue(steps),
                    Optimizer = spec, EarlyStoppingPatience = parse.GetValue(patience), CheckpointDirectory = dir, Progress = progress,
                }).History;
            }

            var report = Evaluator.Evaluate(network, validationLoader.Batches(0), dataset.Classes);
            var reportPath = Path.Combine(dir, $"{architecture}_{runTag}.evaluation.json");
            report.Save(reportPath);
            Console.WriteLine($"best weights: overall accuracy {report.Confusion.OverallAccuracy:0.000}, kappa {report.Confusion.Kappa:0.000} on {report.Predictions.Count} validation images; {history.Count} epochs in {clock.Elapsed.TotalSeconds:0} s this run");
            Console.WriteLine($"evaluation: {reportPath}");
            return 0;
        }));
        return command;
    }
}
