using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Tools;
using CnnSentinel.Training;
using static TorchSharp.torch;

namespace CnnSentinel.Bench;

/// <summary>
/// <c>trainer</c>: training throughput of the library's trainer against PyTorch (Debian's python3-torch)
/// on the same network (torchvision's architecture, which the builders match key for key), batch, image
/// size and thread count, measured one after the other in one run and printed as a ratio (target ≥ 1).
/// </summary>
static class TrainerBenchmark
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "resnet18 or resnet50 (the same architecture in both).", DefaultValueFactory = _ => "resnet18" };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var size = new Option<int>("--size") { Description = $"Image height and width (EuroSAT: {EuroSatDataset.PatchSize}).", DefaultValueFactory = _ => EuroSatDataset.PatchSize };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after warm-up).", DefaultValueFactory = _ => 20 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads for both (default: torch's default here).", DefaultValueFactory = _ => 0 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating measurements of each side; the medians are compared (the machine is shared and noisy).", DefaultValueFactory = _ => 3 };
        var precision = new Option<ComputePrecision>("--precision")
        {
            Description = "Float32, or BFloat16 on both sides: the trainer's mixed precision (TrainerOptions.Precision) against PyTorch's CPU autocast with channels-last.",
            DefaultValueFactory = _ => ComputePrecision.Float32,
        };
        var command = new Command("trainer", "Training images/s of the library's trainer vs PyTorch, same model, batch, threads and precision.") { model, batch, size, steps, threads, rounds, precision };
        command.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            var name = parse.GetValue(model)!;
            if (name is not ("resnet18" or "resnet50")) throw new ArgumentException("--model: resnet18 or resnet50");
            int batchSize = parse.GetValue(batch), imageSize = parse.GetValue(size), stepCount = parse.GetValue(steps);
            int threadCount = parse.GetValue(threads) > 0 ? parse.GetValue(threads) : get_num_threads();
            set_num_threads(threadCount);
            var computeIn = parse.GetValue(precision);
            var setting = $"{name}, batch {batchSize}, {imageSize}×{imageSize}, {stepCount} timed steps, {threadCount} threads, {computeIn}";
            Console.WriteLine(setting);

            var loadBefore = MachineLoad.LoadAverage;
            var libraryRates = new List<double>();
            var pytorchRates = new List<double>();
            string version = "";
            for (int round = 1; round <= parse.GetValue(rounds); round++)
            {
                libraryRates.Add(LibraryRate(name, batchSize, imageSize, stepCount, computeIn));
                (var rate, version) = PyTorchRate(name, batchSize, imageSize, stepCount, threadCount, computeIn);
                pytorchRates.Add(rate);
                Console.WriteLine($"round {round}: CnnSentinel trainer {libraryRates[^1],7:0.0} images/s, PyTorch {version} {pytorchRates[^1],7:0.0} images/s");
            }
            double library = Median(libraryRates), pytorch = Median(pytorchRates);
            Console.WriteLine($"median: CnnSentinel trainer (TorchSharp) {library:0.0} images/s, PyTorch {pytorch:0.0} images/s");
            var report = new ThroughputReport(computeIn == ComputePrecision.BFloat16 ? "trainer-bf16" : "trainer",
                $"{setting}, medians of {libraryRates.Count} alternating rounds",
                MachineLoad.WithLoadSince(loadBefore),
            [
                new("CnnSentinel trainer (TorchSharp)", library, $"PyTorch {version}", pytorch, 1,
                    [.. libraryRates.Zip(pytorchRates, (a, b) => a / b)]),
            ]);
            Console.WriteLine(report.Comparisons[0]);
            var written = report.Write(Path.Combine(ProjectPaths.Output, "bench"));
            Console.WriteLine($"written {written}");
            return 0;
        });
        return command;
    }

    /// <summary>Trainer.Fit on random data: one warm-up epoch, then an epoch of <paramref name="steps"/> steps, timed by the trainer's own progress.</summary>
    static double LibraryRate(string name, int batchSize, int imageSize, int steps, ComputePrecision precision)
    {
        manual_seed(0);
        var network = ModelCatalog.Create(name, 10, 3);
        var images = randn(batchSize * steps, 3, imageSize, imageSize);
        var labels = randint(0, 10, [batchSize * steps], dtype: ScalarType.Int64);
        var train = new InMemoryTrainingData(images, labels, batchSize);
        var validation = new InMemoryTrainingData(images.narrow(0, 0, batchSize), labels.narrow(0, 0, batchSize), batchSize, shuffle: false);
        double rate = 0;
        Trainer.Fit(network, train, validation, new TrainerOptions
        {
            Epochs = 2,
            StepsPerEpoch = steps,
            Optimizer = OptimizerSpec.Sgd(1e-3, 0.9),
            Precision = precision,
            // The last step's figure: images/s of the second epoch's training steps alone.
            Progress = new Recorder(p => { if (p.Epoch == 2 && p.Completed is null) rate = p.ImagesPerSecond; }),
        });
        return rate;
    }

    static (double Rate, string Version) PyTorchRate(string name, int batchSize, int imageSize, int steps, int threads, ComputePrecision precision)
    {
        var script = Path.Combine(ProjectPaths.Root, "bench", "reference", "train_throughput.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { script, "--model", name, "--batch", $"{batchSize}", "--size", $"{imageSize}", "--steps", $"{steps}", "--threads", $"{threads}",
                     "--precision", CpuPrecision.OptionValue(precision) })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} failed (is python3-torch installed? scripts/setup.sh installs it): {stderr.Result}");
        var json = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!;
        return ((double)json["images_per_second"]!, (string)json["torch"]!);
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    sealed class Recorder(Action<TrainingProgress> record) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => record(value);
    }
}
