using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tools;
using static TorchSharp.torch;

namespace CnnSentinel.Bench;

/// <summary>
/// <c>precision</c>: the network classifying windows in bfloat16 against float32, as <c>classify --precision</c> runs
/// it (<see cref="WindowModel"/>): the model's validation patches (never its training patches) classified by both, in
/// alternating rounds so that other load falls on both alike. Reports windows per second of each and their ratio, each
/// side's accuracy on the patches, how often the two agree and their largest probability difference, as a
/// <see cref="ThroughputReport"/> whose copy in <c>data/results/</c> feeds the README's table of measured benchmarks.
/// </summary>
static class PrecisionBenchmark
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "Model file (default: the shipped RGB model).", DefaultValueFactory = _ => new FileInfo(ProjectPaths.ShippedRgbModel) };
        var data = new Option<DirectoryInfo>("--data") { Description = "EuroSAT folder (default: the full development copy beside the checkout if present, else the bundled sample)." };
        var patches = new Option<int>("--patches") { Description = "Validation patches to classify (all when fewer).", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch") { Description = "Windows per forward pass (classify's default).", DefaultValueFactory = _ => 256 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of both sides in turn; each side's fastest round counts.", DefaultValueFactory = _ => 3 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the report.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench")) };
        var command = new Command("precision", "bfloat16 against float32 on the model's validation patches: windows per second, accuracy, agreement.")
        {
            model, data, patches, batch, rounds, output,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!.FullName, parse.GetValue(data)?.FullName ?? TimeToAccuracyBenchmark.DefaultData(),
            parse.GetValue(patches), parse.GetValue(batch), parse.GetValue(rounds), parse.GetValue(output)!.FullName));
        return command;
    }

    static int Run(string modelPath, string folder, int patchCount, int batch, int rounds, string outDir)
    {
        TorchRuntime.EnsureLoaded();
        var dataset = EuroSatDataset.Open(folder);
        var description = ModelFile.ReadDescription(modelPath);
        var sides = MapAccuracyBenchmark.ModelSides(dataset, description, MapAccuracyBenchmark.CommittedSplitFor(folder, modelPath));
        var samples = sides.Validation.Take(patchCount).ToList();
        var hasInstructions = CpuPrecision.HasBFloat16;
        var loadBefore = MachineLoad.LoadAverage;
        Console.WriteLine($"{folder}: {samples.Count} validation patches, batches of {batch}, {get_num_threads()} threads; " +
            $"this CPU {(hasInstructions ? "has" : "has no")} bfloat16 instructions{(hasInstructions ? "" : " (bfloat16 is emulated: expect it slower)")}");

        using var images = dataset.ReadImages(samples);
        using var windows = description.Preprocessing.Input.Apply(images);
        var truth = samples.Select(s => s.ClassIndex).ToArray();
        var (float32Network, _) = ModelFile.Load(modelPath);
        var (bfloat16Network, _) = ModelFile.Load(modelPath);
        using var _1 = float32Network;
        using var _2 = bfloat16Network;
        var float32 = WindowModel.For(float32Network, description.PatchSize);
        var bfloat16 = WindowModel.For(bfloat16Network, description.PatchSize);
        float32.Eval();
        bfloat16.Eval();
        bfloat16.UsePrecision(ComputePrecision.BFloat16);

        var seconds = new Dictionary<ComputePrecision, List<double>> { [ComputePrecision.Float32] = [], [ComputePrecision.BFloat16] = [] };
        float[] float32Probabilities = [], bfloat16Probabilities = [];
        for (var round = 1; round <= rounds; round++)
        {
            (float32Probabilities, var a) = Classify(float32, windows, batch);
            (bfloat16Probabilities, var b) = Classify(bfloat16, windows, batch);
            seconds[ComputePrecision.Float32].Add(a);
            seconds[ComputePrecision.BFloat16].Add(b);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: float32 {samples.Count / a:0.0} windows/s, bfloat16 {samples.Count / b:0.0} windows/s (ratio {b / a:0.00})"));
        }

        var classes = description.Classes.Count;
        int[] Labels(float[] p) => Enumerable.Range(0, samples.Count).Select(i => Enumerable.Range(0, classes).MaxBy(c => p[i * classes + c])).ToArray();
        var (labels32, labels16) = (Labels(float32Probabilities), Labels(bfloat16Probabilities));
        double Accuracy(int[] labels) => labels.Where((l, i) => l == truth[i]).Count() / (double)samples.Count;
        var agreement = labels32.Where((l, i) => l == labels16[i]).Count() / (double)samples.Count;
        var difference = float32Probabilities.Zip(bfloat16Probabilities, (a, b) => Math.Abs(a - b)).Max();
        var (best32, best16) = (seconds[ComputePrecision.Float32].Min(), seconds[ComputePrecision.BFloat16].Min());
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(culture, $"fastest rounds: float32 {samples.Count / best32:0.0} windows/s, bfloat16 {samples.Count / best16:0.0} windows/s; " +
            $"time ratio bfloat16/float32 {best16 / best32:0.00}"));
        Console.WriteLine(string.Create(culture, $"accuracy on the {samples.Count} patches: float32 {Accuracy(labels32):P2}, bfloat16 {Accuracy(labels16):P2}; " +
            $"same label on {agreement:P2}; largest probability difference {difference:0.0000}"));

        var report = new ThroughputReport("precision",
            string.Create(culture, $"{Path.GetFileName(modelPath)}, {samples.Count} validation patches of {Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset.Root))}, " +
                $"batch {batch}, {get_num_threads()} threads, fastest of {rounds} alternating rounds; same label on {agreement:P2}, largest probability difference {difference:0.000}"),
            MachineLoad.WithLoadSince(loadBefore),
        [
            new(string.Create(culture, $"windows in bfloat16 (accuracy {Accuracy(labels16):P2})"), samples.Count / best16,
                string.Create(culture, $"float32 (accuracy {Accuracy(labels32):P2})"), samples.Count / best32, 1,
                [.. seconds[ComputePrecision.Float32].Zip(seconds[ComputePrecision.BFloat16], (a, b) => a / b)]),
        ]);
        Console.WriteLine(report.Comparisons[0]);
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"written {report.Write(outDir)}");
        return 0;
    }

    /// <summary>Every window's class probabilities, in batches as classify forms them, and the seconds it took.</summary>
    static (float[] Probabilities, double Seconds) Classify(WindowModel model, Tensor windows, int batch)
    {
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        var parts = new List<float>();
        for (long first = 0; first < windows.shape[0]; first += batch)
        {
            using var scope = NewDisposeScope();
            var logits = model.Logits(windows[TensorIndex.Slice(first, Math.Min(first + batch, windows.shape[0]))]);
            parts.AddRange(softmax(logits, 1).data<float>().ToArray());
        }
        return ([.. parts], clock.Elapsed.TotalSeconds);
    }
}
