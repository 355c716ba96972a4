using System.CommandLine;
using System.Diagnostics;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Tools;
using CnnSentinel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Bench;

/// <summary>
/// <c>loader</c>: images per second the loader delivers (RGB with the original's augmentation; multispectral)
/// against images per second a small CNN trains at, in one run. The loader should be at least 5× faster than
/// training, so that training never waits for data.
/// </summary>
static class LoaderBenchmark
{
    /// <summary>The loader must deliver at least this many times the images that training consumes.</summary>
    const double Goal = 5;

    public static Command Create()
    {
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = "Folder holding eurosat-rgb/ and eurosat-ms/. Default: the full development copy ../shared/data beside the repository when present, else the bundled data/.",
        };
        var batches = new Option<int>("--batches") { Description = "Batches (and training steps) timed per measurement, after one warm-up.", DefaultValueFactory = _ => 30 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per batch (the original: 64).", DefaultValueFactory = _ => 64 };
        var command = new Command("loader", "Loader images/s (RGB with augmentation, MS) against small-CNN training images/s.") { data, batches, batchSize };
        command.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            var folder = parse.GetValue(data)?.FullName ?? DefaultDataFolder();
            int n = parse.GetValue(batches), size = parse.GetValue(batchSize);
            Console.WriteLine($"data: {folder}; {n} batches of {size}; {Environment.ProcessorCount} processors, torch threads {get_num_threads()}");

            var rgb = EuroSatDataset.Open(Path.Combine(folder, "eurosat-rgb"));
            var ms = EuroSatDataset.Open(Path.Combine(folder, "eurosat-ms"));
            var loadBefore = MachineLoad.LoadAverage;
            // Each rate is the best of two rounds, measured in turn: the machine may be shared, and the best
            // round is the least disturbed.
            var rounds = Enumerable.Range(0, 2).Select(_ => (
                Rgb: LoaderRate(rgb, size, n), Ms: LoaderRate(ms, size, n),
                RgbTraining: TrainingRate(3, size, n), MsTraining: TrainingRate(13, size, n))).ToList();
            double rgbRate = rounds.Max(r => r.Rgb), msRate = rounds.Max(r => r.Ms);
            double rgbTraining = rounds.Max(r => r.RgbTraining), msTraining = rounds.Max(r => r.MsTraining);
            Console.WriteLine($"loader RGB (decode, normalise, flips + ±45° rotation): {rgbRate,8:0} images/s ({rgb.Samples.Count} files)");
            Console.WriteLine($"loader MS, 13 bands (same):                            {msRate,8:0} images/s ({ms.Samples.Count} files)");
            Console.WriteLine($"training, small CNN (lib/Models/SmallCnn), RGB, fwd+bwd+SGD: {rgbTraining,8:0} images/s");
            Console.WriteLine($"training, small CNN (lib/Models/SmallCnn), 13 bands:        {msTraining,8:0} images/s");
            var report = new ThroughputReport("loader",
                $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))}: {rgb.Samples.Count:N0} RGB and {ms.Samples.Count:N0} MS files; {n} batches of {size}, best of {rounds.Count} rounds",
                MachineLoad.WithLoadSince(loadBefore),
            [
                new("loader, RGB (decode, normalise, flips + ±45° rotation)", rgbRate, "small-CNN training, RGB", rgbTraining, Goal, []),
                new("loader, 13 bands (same)", msRate, "small-CNN training, 13 bands", msTraining, Goal, []),
            ]);
            foreach (var comparison in report.Comparisons) Console.WriteLine(comparison);
            var written = report.Write(Path.Combine(ProjectPaths.Output, "bench"));
            Console.WriteLine($"written {written}");
            return 0;
        });
        return command;
    }

    static string DefaultDataFolder()
    {
        var shared = Path.GetFullPath(Path.Combine(ProjectPaths.Root, "..", "shared", "data"));
        return Directory.Exists(Path.Combine(shared, "eurosat-rgb")) ? shared : Path.Combine(ProjectPaths.Root, "data");
    }

    /// <summary>Images/s over <paramref name="batches"/> batches (epochs repeat when the folder is small), no cache: every image is decoded.</summary>
    static double LoaderRate(EuroSatDataset dataset, int batchSize, int batches)
    {
        var loader = new PatchLoader(dataset, options: LoaderOptions.Training with { BatchSize = batchSize, DropLast = true });
        using (var warm = loader.Epoch(0).First()) { }
        var clock = Stopwatch.StartNew();
        long images = 0;
        int done = 0;
        for (int epoch = 1; done < batches; epoch++)
            foreach (var batch in loader.Epoch(epoch))
            {
                images += batch.Count;
                batch.Dispose();
                if (++done == batches) break;
            }
        return images / clock.Elapsed.TotalSeconds;
    }

    static double TrainingRate(int bands, int batchSize, int steps)
    {
        manual_seed(1);
        var model = ModelCatalog.Create("smallcnn", classes: 10, bands: bands);
        var optimizer = OptimizerSpec.Sgd(0.01, momentum: 0.9).Create(model.parameters());
        var loss = nn.CrossEntropyLoss();
        var x = randn(batchSize, bands, EuroSatDataset.PatchSize, EuroSatDataset.PatchSize);
        var y = randint(0, 10, [batchSize], dtype: ScalarType.Int64);
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            loss.forward(model.forward(x), y).backward();
            optimizer.step();
        }
        Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return (double)steps * batchSize / clock.Elapsed.TotalSeconds;
    }
}
