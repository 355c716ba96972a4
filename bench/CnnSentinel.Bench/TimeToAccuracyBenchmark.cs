using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.IO;
using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Tools;
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
/// The library's loader plans every epoch's batches and each image's flips and quarter turns; the plan, the initial
/// weights and the first training batch are written to <c>out/bench/time-to-accuracy/</c>, and the PyTorch side
/// replays that plan (decoding the JPEGs itself, with the same in-memory cache) and checks that its first batch
/// matches. The two sides take turns, one epoch each. Both clocks start before the data are read and include
/// decoding, validation after every epoch, everything but the other side's turns. Validation accuracy here is
/// without test-time augmentation, on both sides. The report (<see cref="TimeToAccuracyReport"/>) is rewritten
/// after every epoch.
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
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the plan, the weights both sides start from and the report.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench")) };
        var precision = new Option<ComputePrecision>("--precision")
        {
            Description = "Float32, or BFloat16 for the training steps of the library (the trainer's mixed precision, TrainerOptions.Precision) and, unless --reference-precision says otherwise, of PyTorch (its CPU autocast with channels-last). Each side validates in the number format it trains in.",
            DefaultValueFactory = _ => ComputePrecision.Float32,
        };
        var referencePrecision = new Option<ComputePrecision?>("--reference-precision")
        {
            Description = "The PyTorch side's format where its best on this CPU differs from the library's (default: --precision); " +
                          "bench trainer --precision BFloat16 against bench trainer says which is faster for each side.",
        };
        var command = new Command("time-to-accuracy", "Wall time to given validation accuracies with the fast recipe: the library vs PyTorch, same network, data order and images.")
        {
            data, epochs, steps, targets, seed, output, precision, referencePrecision,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            var folder = parse.GetValue(data)?.FullName ?? DefaultData();
            var recipe = TrainingRecipe.Fast with { Epochs = parse.GetValue(epochs) ?? TrainingRecipe.Fast.Epochs };
            var goals = parse.GetValue(targets)!;
            var outFolder = parse.GetValue(output)!.FullName;
            var work = Path.Combine(outFolder, "time-to-accuracy");
            Directory.CreateDirectory(work);
            Console.WriteLine($"{folder}: fast recipe, {recipe.Epochs} epochs, {get_num_threads()} threads; targets {string.Join(", ", goals)}");

            var (libraryPrecision, pytorchPrecision) = (parse.GetValue(precision), parse.GetValue(referencePrecision) ?? parse.GetValue(precision));
            var path = Path.Combine(outFolder, TimeToAccuracyReport.FileNameFor(libraryPrecision, pytorchPrecision));
            var report = Run(folder, recipe, libraryPrecision, pytorchPrecision, parse.GetValue(steps), parse.GetValue(seed), work, goals, partial => partial.Write(path));
            // The same table the README shows (TimeToAccuracyReport.Markdown), so the two cannot format the figures differently.
            Console.Write(report.Markdown());
            Console.WriteLine("ratio = CnnSentinel time / PyTorch time to the same validation accuracy (goal ≤ 1.0); — : a side did not reach it.");
            Console.WriteLine($"written {path}; copy it to data/results/ and run `cnnsentinel results --update README.md` to show it in the README");
            return 0;
        });
        return command;
    }

    /// <summary>The full development copy of EuroSAT RGB where this machine has it, else the bundled sample.</summary>
    internal static string DefaultData() => ProjectPaths.DevelopmentRgbData ?? Path.Combine(ProjectPaths.Root, "data", "eurosat-rgb");

    /// <summary>
    /// Trains both sides epoch by epoch in turn: the library's epoch, then PyTorch's, each side's clock running only
    /// while it works. Other load on the machine therefore falls on both sides alike instead of on whichever side
    /// happened to run at the time, and an interrupted run still compares the epochs both sides finished.
    /// </summary>
    static TimeToAccuracyReport Run(string folder, TrainingRecipe recipe, ComputePrecision precision, ComputePrecision referencePrecision, int? steps, int seed, string work, double[] targets,
        Action<TimeToAccuracyReport> afterEachEpoch)
    {
        var clock = Stopwatch.StartNew();
        manual_seed(seed);
        var data = EuroSatTrainingData.Open(folder, ChannelNormalization.PretrainedScaleFor, recipe.BatchSize, seed,
            augmentation: recipe.Augmentation, cacheDecoded: true);
        var model = ModelCatalog.PretrainedResNet18(data.Dataset.Classes.Count);
        clock.Stop(); // writing the plan for the PyTorch side is not part of training
        WritePlan(work, data, model, recipe, referencePrecision, steps, seed);
        using var reference = ReferenceProcess.Start(work);
        Console.WriteLine($"PyTorch {reference.Version}: first training batch identical to {reference.FirstBatchDifference:g3} (max abs difference)");
        var library = new List<EpochPoint>();
        var pytorch = new List<EpochPoint>();
        // Whether .NET's collector slows the library's side: its pauses and the managed allocations, counted for the whole
        // process from here, as its clock (the waits for PyTorch, which the clock leaves out, allocate next to nothing).
        var pausedBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        clock.Start();
        recipe.Train(model, data.Train, data.Validation, "resnet18-imagenet", "time-to-accuracy", change: o => o with
        {
            StepsPerEpoch = steps,
            Precision = precision,
            Progress = new EpochRecorder(p =>
            {
                clock.Stop();
                library.Add(new EpochPoint(p.Epoch, clock.Elapsed.TotalSeconds, p.Completed!.ValidationAccuracy,
                    (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds, GC.GetTotalAllocatedBytes() - allocatedBefore));
                pytorch.Add(reference.TrainEpoch());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {p.Epoch}: validation accuracy {library[^1].Accuracy:0.0000} at {library[^1].Seconds:0} s (CnnSentinel), {pytorch[^1].Accuracy:0.0000} at {pytorch[^1].Seconds:0} s (PyTorch)"));
                afterEachEpoch(Report());
                clock.Start();
            }),
        });
        return Report();

        // The folder's name only: the report is committed, and a machine's paths do not belong in the repository.
        TimeToAccuracyReport Report() => new(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)),
            recipe.ToString(), recipe.Epochs, reference.Version, reference.FirstBatchDifference,
            MachineDescription.Current, [.. library], [.. pytorch], targets, TimeToAccuracyReport.PrecisionInWords(precision, referencePrecision));
    }

    /// <summary>The plan the PyTorch side replays; <paramref name="precision"/> is that side's number format.</summary>
    static void WritePlan(string work, EuroSatTrainingData data, ImageClassifier model, TrainingRecipe recipe, ComputePrecision precision, int? steps, int seed)
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
            ["warmup_epochs"] = recipe.EffectiveWarmupEpochs,
            ["label_smoothing"] = recipe.LabelSmoothing,
            ["precision"] = CpuPrecision.OptionValue(precision),
            ["input_mean"] = new JsonArray(model.PreprocessingWith(data.Train.Options.Normalization!).Network!.ToFloats().Mean.Select(m => (JsonNode)m).ToArray()),
            ["classes"] = data.Dataset.Classes.Count,
            ["validation"] = new JsonArray(data.Split.Validation.Select(s => (JsonNode)new JsonArray(s.RelativePath, s.ClassIndex)).ToArray()),
            ["train"] = epochs,
        };
        AtomicFile.WriteAllText(Path.Combine(work, "plan.json"), plan.ToJsonString());
    }

    static IEnumerable<(IReadOnlyList<EuroSatSample> Samples, IReadOnlyList<AugmentationChoice> Augmentations)> Passes(EuroSatTrainingData data, int epoch)
    {
        for (int pass = 0; ; pass++)
            foreach (var batch in data.Train.PlannedAugmentations(epoch + pass * 1_000_003)) yield return batch;
    }

    /// <summary><c>bench/reference/time_to_accuracy.py</c>, which trains one epoch each time it is asked on its standard input.</summary>
    sealed class ReferenceProcess : IDisposable
    {
        readonly Process process;
        readonly Task<string> stderr;
        readonly string script;

        public string Version { get; }
        public double FirstBatchDifference { get; }

        ReferenceProcess(Process process, string script)
        {
            this.process = process;
            this.script = script;
            stderr = process.StandardError.ReadToEndAsync();
            var first = ReadLine();
            (Version, FirstBatchDifference) = ((string)first["torch"]!, (double)first["first_batch_max_abs_difference"]!);
        }

        public static ReferenceProcess Start(string work)
        {
            var script = Path.Combine(ProjectPaths.Root, "bench", "reference", "time_to_accuracy.py");
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { script, "--work", work, "--threads", $"{get_num_threads()}" }) start.ArgumentList.Add(arg);
            return new ReferenceProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3"), script);
        }

        public EpochPoint TrainEpoch()
        {
            process.StandardInput.WriteLine("epoch");
            process.StandardInput.Flush();
            var json = ReadLine();
            return new EpochPoint((int)json["epoch"]!, (double)json["seconds"]!, (double)json["accuracy"]!);
        }

        JsonNode ReadLine() => process.StandardOutput.ReadLine() is { } line ? JsonNode.Parse(line)!
            : throw new InvalidOperationException($"{script} stopped (python3-torch and python3-pil are installed by scripts/setup.sh): {Wait()}");

        string Wait()
        {
            process.WaitForExit();
            return stderr.Result;
        }

        public void Dispose()
        {
            process.StandardInput.Close(); // end of input: the script exits
            Wait();
            process.Dispose();
        }
    }

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
