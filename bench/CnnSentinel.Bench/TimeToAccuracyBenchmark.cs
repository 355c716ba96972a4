using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.IO;
using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Training;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Bench;

/// <summary>
/// <c>time-to-accuracy</c>: wall time until the fast recipe reaches given validation accuracies, for the library and
/// for PyTorch (<c>bench/reference/time_to_accuracy.py</c>) in the same run, with the same network, initial weights,
/// data order, augmentation, schedule and number of images.
/// </summary>
/// <remarks>
/// The library trains first; its loader's plan (every epoch's batches and each image's flips and quarter turns),
/// the initial weights and the first training batch are written to <c>out/bench/time-to-accuracy/</c>, and the
/// PyTorch side replays that plan (decoding the JPEGs itself, with the same in-memory cache) and checks that its
/// first batch matches. Both clocks start before the data folder is opened and include decoding, validation after
/// every epoch, everything. Validation accuracy here is without test-time augmentation, on both sides.
/// </remarks>
static class TimeToAccuracyBenchmark
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "EuroSAT RGB folder (default: the full development copy beside the checkout if present, else the bundled sample)." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (default: the fast recipe's)." };
        var steps = new Option<int?>("--steps") { Description = "Steps per epoch (default: one pass)." };
        var targets = new Option<double[]>("--targets") { Description = "Validation accuracies to time.", DefaultValueFactory = _ => [0.97, 0.985], AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "Seed of split, shuffles, augmentation and head.", DefaultValueFactory = _ => 42 };
        var command = new Command("time-to-accuracy", "Wall time to given validation accuracies with the fast recipe: the library vs PyTorch, same network, data order and images.")
        {
            data, epochs, steps, targets, seed,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            var folder = parse.GetValue(data)?.FullName ?? DefaultData();
            var recipe = TrainingRecipe.Fast with { Epochs = parse.GetValue(epochs) ?? TrainingRecipe.Fast.Epochs };
            var goals = parse.GetValue(targets)!;
            var work = Path.Combine(ProjectPaths.Output, "bench", "time-to-accuracy");
            Directory.CreateDirectory(work);
            Console.WriteLine($"{folder}: fast recipe, {recipe.Epochs} epochs, {get_num_threads()} threads; targets {string.Join(", ", goals)}");

            var library = RunLibrary(folder, recipe, parse.GetValue(steps), parse.GetValue(seed), work);
            Console.WriteLine($"library: final validation accuracy {library[^1].Accuracy:0.0000} after {library[^1].Seconds:0} s");
            var (pytorch, version, firstBatchDifference) = RunPyTorch(work);
            Console.WriteLine($"PyTorch {version}: final validation accuracy {pytorch[^1].Accuracy:0.0000} after {pytorch[^1].Seconds:0} s; " +
                $"first training batch identical to {firstBatchDifference:g3} (max abs difference)");

            var rows = goals.Select(goal => new
            {
                target = goal,
                librarySeconds = FirstReach(library, goal),
                pytorchSeconds = FirstReach(pytorch, goal),
            }).ToList();
            Console.WriteLine($"{"target",8} {"CnnSentinel",12} {"PyTorch",12} {"ratio",8}");
            foreach (var row in rows)
            {
                var ratio = row.librarySeconds / row.pytorchSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.target,8:0.000} {Seconds(row.librarySeconds),12} {Seconds(row.pytorchSeconds),12} {(double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "—"),8}"));
            }
            Console.WriteLine("ratio = CnnSentinel time / PyTorch time to the same validation accuracy (goal ≤ 1.0); — : not reached.");
            var report = Path.Combine(ProjectPaths.Output, "bench", "time-to-accuracy.json");
            AtomicFile.WriteAllText(report, JsonSerializer.Serialize(new
            {
                data = folder, recipe = recipe.ToString(), epochs = recipe.Epochs, threads = get_num_threads(), pytorch = version, firstBatchDifference,
                targets = rows, library, pytorchEpochs = pytorch,
            }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            Console.WriteLine($"written {report}");
            return 0;
        });
        return command;
    }

    /// <summary>Wall time and validation accuracy at the end of an epoch.</summary>
    sealed record EpochPoint(int Epoch, double Seconds, double Accuracy);

    static string DefaultData()
    {
        var full = Path.GetFullPath(Path.Combine(ProjectPaths.Root, "..", "shared", "data", "eurosat-rgb"));
        return Directory.Exists(full) ? full : Path.Combine(ProjectPaths.Root, "data", "eurosat-rgb");
    }

    static List<EpochPoint> RunLibrary(string folder, TrainingRecipe recipe, int? steps, int seed, string work)
    {
        var clock = Stopwatch.StartNew();
        manual_seed(seed);
        var data = EuroSatTrainingData.Open(folder, ChannelNormalization.PretrainedScaleFor, recipe.BatchSize, seed,
            augmentation: recipe.Augmentation, cacheDecoded: true);
        var model = ModelCatalog.PretrainedResNet18(data.Dataset.Classes.Count);
        clock.Stop(); // writing the plan for the PyTorch side is not part of training
        WritePlan(work, data, model, recipe, steps, seed);
        clock.Start();
        var points = new List<EpochPoint>();
        recipe.Train(model, data.Train, data.Validation, "resnet18-imagenet", "time-to-accuracy", change: o => o with
        {
            StepsPerEpoch = steps,
            Progress = new EpochRecorder(p => points.Add(new EpochPoint(p.Epoch, clock.Elapsed.TotalSeconds, p.Completed!.ValidationAccuracy))),
        });
        return points;
    }

    static void WritePlan(string work, EuroSatTrainingData data, ImageClassifier model, TrainingRecipe recipe, int? steps, int seed)
    {
        StateDictFile.Save(model, Path.Combine(work, "initial.pth"));
        using (var first = data.Train.Epoch(0).First()) StateDictFile.Save(new TensorHolder(first.Images), Path.Combine(work, "first_batch.pth"));
        int stepsPerEpoch = steps ?? data.Train.BatchesPerEpoch;
        var epochs = new JsonArray();
        for (int epoch = 0; epoch < recipe.Epochs; epoch++)
        {
            var batches = new JsonArray();
            // The trainer's order: one pass per epoch (more steps than a pass continue with the next passes' plans).
            foreach (var batch in Passes(data, epoch).Take(stepsPerEpoch))
                batches.Add(new JsonArray(batch.Samples.Select((s, i) => (JsonNode)new JsonArray(s.RelativePath, s.ClassIndex,
                    batch.Augmentations[i].FlipHorizontal, batch.Augmentations[i].FlipVertical, batch.Augmentations[i].QuarterTurns)).ToArray()));
            epochs.Add(batches);
        }
        var plan = new JsonObject
        {
            ["root"] = data.Dataset.Root,
            ["seed"] = seed,
            ["batch"] = recipe.BatchSize,
            ["epochs"] = recipe.Epochs,
            ["lr"] = recipe.Optimizer.LearningRate,
            ["weight_decay"] = recipe.Optimizer.WeightDecay,
            ["warmup_epochs"] = recipe.WarmupEpochs,
            ["label_smoothing"] = recipe.LabelSmoothing,
            ["input_mean"] = new JsonArray(model.InputNormalization!.Mean.Select(m => (JsonNode)m).ToArray()),
            ["classes"] = data.Dataset.Classes.Count,
            ["validation"] = new JsonArray(data.Split.Validation.Select(s => (JsonNode)new JsonArray(s.RelativePath, s.ClassIndex)).ToArray()),
            ["train"] = epochs,
        };
        AtomicFile.WriteAllText(Path.Combine(work, "plan.json"), plan.ToJsonString());
    }

    static IEnumerable<PlannedBatch> Passes(EuroSatTrainingData data, int epoch)
    {
        for (int pass = 0; ; pass++)
            foreach (var batch in data.Train.Plan(epoch + pass * 1_000_003)) yield return batch;
    }

    static (List<EpochPoint> Points, string Version, double FirstBatchDifference) RunPyTorch(string work)
    {
        var script = Path.Combine(ProjectPaths.Root, "bench", "reference", "time_to_accuracy.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { script, "--work", work, "--threads", $"{get_num_threads()}" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var stderr = process.StandardError.ReadToEndAsync();
        var points = new List<EpochPoint>();
        string version = "", line;
        double difference = double.NaN;
        while ((line = process.StandardOutput.ReadLine()!) is not null)
        {
            var json = JsonNode.Parse(line)!;
            if (json["torch"] is { } torchVersion) (version, difference) = ((string)torchVersion!, (double)json["first_batch_max_abs_difference"]!);
            else
            {
                points.Add(new EpochPoint((int)json["epoch"]!, (double)json["seconds"]!, (double)json["accuracy"]!));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  PyTorch epoch {points[^1].Epoch}: validation accuracy {points[^1].Accuracy:0.0000} at {points[^1].Seconds:0} s"));
            }
        }
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} failed (python3-torch and python3-pil are installed by scripts/setup.sh): {stderr.Result}");
        return (points, version, difference);
    }

    static double FirstReach(List<EpochPoint> points, double goal) => points.FirstOrDefault(p => p.Accuracy >= goal)?.Seconds ?? double.PositiveInfinity;

    static string Seconds(double s) => double.IsFinite(s) ? $"{s / 60:0.0} min" : "not reached";

    sealed class EpochRecorder(Action<TrainingProgress> epochDone) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Completed is not null) epochDone(value);
        }
    }

    /// <summary>A module holding one tensor under the key "images", to write it as a state dict PyTorch loads.</summary>
    sealed class TensorHolder : nn.Module
    {
        public TensorHolder(Tensor images) : base(nameof(TensorHolder)) => register_buffer("images", images.clone());
    }
}
