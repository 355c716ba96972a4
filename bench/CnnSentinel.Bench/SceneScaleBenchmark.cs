using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnSentinel.Evaluation;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tools;
using CnnSentinel.Transforms;
using TorchSharp;

namespace CnnSentinel.Bench;

/// <summary>
/// Scene classification at scale (issue 12): the 13-band ResNet18 of the fast recipe classifying synthetic 13-band
/// UInt16 scenes as <c>classify</c> does, naive and dense, at the network's own stride and finer, in float32 and (naive,
/// issue 26) bfloat16; per run the time,
/// where it went (network, GDAL read, writing, the rest), achieved GFLOP/s and peak memory, each run in a fresh process;
/// then a full 10980² tile extrapolated against the goals (<see cref="SceneScaleReport"/>).
/// </summary>
static class SceneScaleBenchmark
{
    /// <summary>
    /// The network measured: the architecture, bands and normalisation of the fast-recipe 13-band ResNet18 (ImageNet
    /// ResNet18 with layer4 of three blocks, first convolution inflated to 13 bands), rebuilt from its committed
    /// description with seeded random weights: speed does not depend on the weights.
    /// </summary>
    const string ModelRun = "resnet18-imagenet_ms_fast-inflate";

    // classify's defaults (cli/ClassifyCommand.cs), so that the bench measures what the command does.
    const int BlockSize = 512, BatchSize = 256;
    const double UncertainBelow = 0.5;

    static readonly JsonSerializerOptions Line = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// The runs by default, sized for a shared 2-core machine (a quarter of an hour under the load of several users):
    /// every mode and stride on two sizes, so that memory can be extrapolated too, the costlier ones on smaller scenes
    /// (naive windows at stride 8 are 16 times those of stride 32), since the work is per block and the time extrapolates
    /// from any size. Larger scenes: e.g. <c>--runs 4096:naive:32 4096:dense:8</c>.
    /// </summary>
    static readonly string[] DefaultRuns = ["512:naive:32", "1024:naive:32", "1024:dense:32", "2048:dense:32", "256:dense:8", "512:dense:8", "256:naive:8", "512:naive:8",
        "256:naive:8:bf16", "512:naive:8:bf16", "512:dense:8:bf16"];

    /// <summary><c>scene-scale</c>: every run in a child process, then the report.</summary>
    public static Command Create()
    {
        var runs = new Option<string[]>("--runs") { Description = $"Runs as SIZE:MODE:STRIDE[:PRECISION] (e.g. 4096:naive:32, 512:naive:8:bf16; precision {CpuPrecision.Names}, float32 when left out), each in a child process.", DefaultValueFactory = _ => DefaultRuns, AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for scene-scale.json and the work files.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench")) };
        var command = new Command("scene-scale", "Full-tile scale: the 13-band ResNet18 classifying synthetic scenes naive and dense, time split, GFLOP/s, peak memory, extrapolated to 10980².")
        {
            runs, output,
        };
        command.SetAction(parse => Run(parse.GetValue(runs)!.Select(ParseRun).ToList(), parse.GetValue(output)!.FullName));
        return command;
    }

    static (int Size, ClassificationMode Mode, int Stride, ComputePrecision Precision) ParseRun(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 3 or > 4 || !int.TryParse(parts[0], out var size) || size < 1 || !Enum.TryParse<ClassificationMode>(parts[1], ignoreCase: true, out var mode)
            || !int.TryParse(parts[2], out var stride) || stride < 1)
            throw new ArgumentException($"--runs {text}: give SIZE:MODE:STRIDE[:PRECISION], e.g. 2048:dense:8 or 512:naive:8:bf16.");
        if (parts.Length == 3) return (size, mode, stride, ComputePrecision.Float32);
        var precision = CpuPrecision.Resolve(parts[3], out var note);
        if (note is not null) Console.WriteLine($"--runs {text}: {note}");
        return (size, mode, stride, precision);
    }

    /// <summary><c>scene-scale-run SIZE MODE STRIDE PRECISION DIR</c>: the child process of <c>scene-scale</c>; prints its run as one JSON line.</summary>
    public static Command CreateChild()
    {
        var size = new Argument<int>("size");
        var mode = new Argument<ClassificationMode>("mode");
        var stride = new Argument<int>("stride");
        var precision = new Argument<ComputePrecision>("precision");
        var dir = new Argument<DirectoryInfo>("dir");
        var command = new Command("scene-scale-run", "Classify one synthetic scene and print the run (time split, FLOPs, peak memory) as JSON.") { size, mode, stride, precision, dir };
        command.Hidden = true;
        command.SetAction(parse => Measure(parse.GetValue(size), parse.GetValue(mode), parse.GetValue(stride), parse.GetValue(precision), parse.GetValue(dir)!.FullName));
        return command;
    }

    static int Run(IReadOnlyList<(int Size, ClassificationMode Mode, int Stride, ComputePrecision Precision)> plan, string outDir)
    {
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(Environment.ProcessorCount);
        var work = Path.Combine(outDir, "scene-scale");
        Directory.CreateDirectory(work);
        var (network, description) = SeededNetwork();
        long flopsPerWindow = ModelSummary.Of(network, description.Bands.Count, description.PatchSize, description.PatchSize).TotalFlops;
        string model = $"{description.Architecture}, {description.Bands.Count} bands ({description.Adaptation}), as `{ModelRun}` with seeded random weights";
        // Other work on a shared machine slows every run: the load average goes into the report beside the figures.
        var loadBefore = MachineLoad.LoadAverage;
        Console.WriteLine($"{model}; {MachineDescription.Current}, load average {loadBefore}, GDAL {SceneInput.GdalVersion}; {flopsPerWindow / 1e9:0.000} GFLOP per window");

        var runs = new List<SceneScaleRun>();
        var reportPath = Path.Combine(outDir, SceneScaleReport.FileName);
        foreach (var (size, mode, stride, precision) in plan)
        {
            var input = SyntheticPath(work, size);
            if (!File.Exists(input)) WriteSynthetic(input, size);
            var run = RunChild(size, mode, stride, precision, work);
            runs.Add(run);
            Console.WriteLine($"{size}² {mode.ToString().ToLowerInvariant()} stride {stride} {precision}: {run.Seconds:0.0} s, {run.PixelsPerSecond:N0} px/s, " +
                $"peak {run.PeakMiB:N0} MiB; network {run.ForwardSeconds:0.0} s ({run.GflopPerSecond:0.0} GFLOP/s), read {run.ReadSeconds:0.0} s, " +
                $"writing {run.WriteSeconds:0.0} s, rest {run.RestSeconds:0.0} s" + (run.Agreement is { } a ? $"; dense agrees with naive at {a:P1}" : ""));
            // Written after every run, so that a stopped bench keeps what it measured.
            new SceneScaleReport(model, MachineLoad.WithLoadSince(loadBefore),
                description.PatchSize, flopsPerWindow, BlockSize, BatchSize, runs).Write(reportPath);
        }
        Console.WriteLine();
        Console.Write(SceneScaleReport.Read(reportPath).Markdown());
        Console.WriteLine($"results: {reportPath}");
        return 0;
    }

    static SceneScaleRun RunChild(int size, ClassificationMode mode, int stride, ComputePrecision precision, string work)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        foreach (var a in new[] { typeof(SceneScaleBenchmark).Assembly.Location, "scene-scale-run", $"{size}", $"{mode}", $"{stride}", $"{precision}", work })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var lines = process.StandardOutput.ReadToEnd().Trim().Split('\n');
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"scene-scale-run {size} {mode} {stride} {precision} failed with {process.ExitCode}");
        return JsonSerializer.Deserialize<SceneScaleRun>(lines[^1], Line)!;
    }

    /// <summary>The child: classify the synthetic scene into map files as classify does, timing the parts.</summary>
    static int Measure(int size, ClassificationMode mode, int stride, ComputePrecision precision, string work)
    {
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(Environment.ProcessorCount);
        var (network, description) = SeededNetwork();
        network.eval();
        // WindowModel converts the modules it is given to the precision; the timed parts below hold the network only as
        // calls, so the network is converted here, as SceneClassifier would convert it.
        if (precision == ComputePrecision.BFloat16) network.to(torch.ScalarType.BFloat16);
        var forward = new Stopwatch();
        // The same network calls as WindowModel.For(network) makes, each timed.
        var windowModel = mode == ClassificationMode.Naive
            ? WindowModel.FromModule(new TimedModule("network", network.call, forward), description.PatchSize)
            : WindowModel.FromParts(new TimedModule("features", network.FeatureMap, forward), new TimedModule("head", network.HeadOfPooled, forward),
                network.FeatureStride!.Value, description.PatchSize, network.FeaturesAreShiftEquivariant,
                step => network.FeatureMapAt(step) is { } finer ? new TimedModule("features", finer, forward).call : null);
        using var flops = new ExecutedFlops(network);
        using var scene = SceneInput.Open(SyntheticPath(work, size), description.Bands.Count);
        var options = new SceneClassifierOptions(description.Preprocessing, mode, stride, BlockSize, BatchSize: BatchSize,
            UncertainBelow: UncertainBelow, Radiometry: scene.Radiometry, Clouds: new CloudTest(), Precision: precision);
        var outputs = SceneOutputPaths.For(Path.Combine(work, $"maps-{size}-{mode}-{stride}{(precision == ComputePrecision.Float32 ? "" : "-" + precision)}".ToLowerInvariant()), scene.Path, false);
        Directory.CreateDirectory(Path.GetDirectoryName(outputs.Classes)!);

        var map = SceneMap.Write(scene, windowModel, options, outputs, ClassLegend.EuroSat);
        var peakKiB = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var run = new SceneScaleRun(size, mode, stride, map.Elapsed.TotalSeconds, map.ClassifyingTime.TotalSeconds, forward.Elapsed.TotalSeconds,
            map.ReadingTime.TotalSeconds, flops.Total, long.Parse(peakKiB) / 1024.0, map.NaiveAgreement, precision);
        Console.WriteLine(JsonSerializer.Serialize(run, Line));
        return 0;
    }

    /// <summary>The network of <see cref="ModelRun"/>, built from its committed description with weights from a fixed seed.</summary>
    static (ImageClassifier Network, ModelDescription Description) SeededNetwork()
    {
        var description = ResultsTable.Read(Path.Combine(ProjectPaths.Root, "data", "results")).Single(r => r.Name == ModelRun).Description;
        torch.manual_seed(42);
        return (description.Build(), description);
    }

    static string SyntheticPath(string work, int size) => Path.Combine(work, $"synthetic{size}.tif");

    /// <summary>
    /// A smooth, georeferenced 13-band UInt16 scene near the EuroSAT band means: its values written as raw pixels, described to
    /// GDAL by a VRT (in the bundled scene's UTM zone, 10 m pixels), then copied into a GeoTIFF as <c>classify</c>'s inputs are.
    /// </summary>
    static void WriteSynthetic(string path, int size)
    {
        const int bands = 13;
        var (mean, std) = ChannelNormalization.OriginalMultispectral.ToFloats();
        var raw = Path.ChangeExtension(path, ".raw");
        using (var file = new BinaryWriter(File.Create(raw)))
            for (int b = 0; b < bands; b++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        file.Write((ushort)Math.Clamp(MathF.Round(mean[b] + 2 * std[b] * MathF.Sin((x + 3 * b) / 37f) * MathF.Cos(y / 53f)), 0, ushort.MaxValue));
        var vrt = Path.ChangeExtension(path, ".vrt");
        var bandElements = Enumerable.Range(0, bands).Select(b =>
            $"""  <VRTRasterBand dataType="UInt16" band="{b + 1}" subClass="VRTRawRasterBand"><SourceFilename relativeToVRT="1">{Path.GetFileName(raw)}</SourceFilename><ImageOffset>{2L * size * size * b}</ImageOffset><PixelOffset>2</PixelOffset><LineOffset>{2 * size}</LineOffset><ByteOrder>LSB</ByteOrder></VRTRasterBand>""");
        File.WriteAllText(vrt, $"""
            <VRTDataset rasterXSize="{size}" rasterYSize="{size}">
              <SRS>EPSG:32633</SRS>
              <GeoTransform>500000, 10, 0, 5600000, 0, -10</GeoTransform>
            {string.Join("\n", bandElements)}
            </VRTDataset>
            """);
        using (var described = SceneInput.Open(vrt, bands))
            described.CopyWindow(0, 0, size, size, path);
        File.Delete(vrt);
        File.Delete(raw);
    }
}
