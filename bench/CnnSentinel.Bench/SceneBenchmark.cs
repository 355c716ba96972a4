using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using CnnSentinel.IO;
using CnnSentinel.Transforms;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using TorchSharp;

namespace CnnSentinel.Bench;

/// <summary>
/// Scene classification benchmark: naive vs dense pixels per second and label agreement on a real crop, and peak
/// memory of dense classification on synthetic 13-band scenes of growing size (memory must not grow with the scene).
/// </summary>
static class SceneBenchmark
{
    const int FullTile = 10980;

    /// <summary><c>scene</c>: naive vs dense on a crop of the bundled scene, then peak memory on synthetic 13-band scenes.</summary>
    public static Command Create()
    {
        var naiveSize = new Option<int>("--naive-size") { Description = "Side of the real crop classified both ways.", DefaultValueFactory = _ => 128 };
        var sizes = new Option<int[]>("--sizes") { Description = "Sides of the synthetic 13-band scenes (each in a child process).", DefaultValueFactory = _ => [1024, 2048], AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for scene.json and the work files.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench")) };
        var command = new Command("scene", "Scene classification: naive vs dense pixels/s and label agreement, peak memory for large scenes.") { naiveSize, sizes, output };
        command.SetAction(parse => Run(parse.GetValue(naiveSize), parse.GetValue(sizes)!, parse.GetValue(output)!.FullName));
        return command;
    }

    /// <summary><c>scene-memory SIZE DIR [--classify-only]</c>: the child process of <c>scene</c>.</summary>
    public static Command CreateMemoryChild()
    {
        var size = new Argument<int>("size");
        var dir = new Argument<DirectoryInfo>("dir");
        var classifyOnly = new Option<bool>("--classify-only") { Description = "Skip writing the maps, to tell the classifier's memory from GDAL's." };
        var command = new Command("scene-memory", "Classify one synthetic scene and print its peak memory (MiB) and pixels/s.") { size, dir, classifyOnly };
        command.Hidden = true;
        command.SetAction(parse => MeasureMemory(parse.GetValue(size), parse.GetValue(dir)!.FullName, write: !parse.GetValue(classifyOnly)));
        return command;
    }

    static int Run(int naiveSize, int[] sizes, string outDir)
    {
        TorchRuntime.EnsureLoaded();
        var work = Path.Combine(outDir, "work");
        Directory.CreateDirectory(work);
        torch.set_num_threads(Environment.ProcessorCount);
        Console.WriteLine($"{Environment.ProcessorCount} CPU threads, GDAL {Gdal.Version}");

        // 1. Real crop from the middle of the bundled scene: naive vs dense, unpadded and same-padded scene CNN.
        var scenePath = BundledScene.Path;
        using var scene = GdalRaster.Open(scenePath);
        var crop = Path.Combine(work, $"crop{naiveSize}.tif");
        GeoTiffWriter.CopyWindow(scene, (scene.Width - naiveSize) / 2, (scene.Height - naiveSize) / 2, naiveSize, naiveSize, crop);
        var (rgbMean, rgbStd) = ChannelNormalization.OriginalRgb.ToFloats();
        var agreement = new Dictionary<string, double>();
        double naivePxPerSecond = 0, densePxPerSecondCrop = 0;
        foreach (var padded in new[] { false, true })
        {
            var model = SeededSceneCnn(3, padded);
            var options = new SceneClassifierOptions(rgbMean, rgbStd, ClassificationMode.Naive);
            var (naive, naiveSeconds) = Classes(new SceneClassifier(model, options), crop);
            var (dense, denseSeconds) = Classes(new SceneClassifier(model, options with { Mode = ClassificationMode.Dense }), crop);
            var name = padded ? "same-padded scene CNN" : "unpadded scene CNN";
            agreement[name] = naive.Zip(dense).Count(p => p.First == p.Second) / (double)naive.Length;
            Console.WriteLine($"{name}: {naiveSize}×{naiveSize} crop, stride 1: label agreement {agreement[name]:P2}; " +
                $"naive {naive.Length / naiveSeconds:0} px/s, dense {dense.Length / denseSeconds:0} px/s (on this small crop)");
            if (!padded) (naivePxPerSecond, densePxPerSecondCrop) = (naive.Length / naiveSeconds, dense.Length / denseSeconds);
        }

        // 2. Dense on the whole bundled scene (RGB), outputs written.
        var rgbModel = SeededSceneCnn(3);
        var watch = Stopwatch.StartNew();
        var summary = SceneMapWriter.Write(scene, [1, 2, 3], new SceneClassifier(rgbModel, new SceneClassifierOptions(rgbMean, rgbStd)),
            ClassLegend.EuroSat, SceneOutputPaths.For(Path.Combine(work, "scene"), scenePath, false));
        double densePxPerSecond = summary.PixelsPerSecond;
        Console.WriteLine($"dense, whole bundled scene {scene.Width}×{scene.Height} RGB, stride 1, outputs written: {densePxPerSecond:0} px/s " +
            $"({watch.Elapsed.TotalSeconds:0.0} s); dense/naive = {densePxPerSecond / naivePxPerSecond:0}×");

        // 3. Peak memory and speed, 13 bands, growing synthetic scenes, each in a fresh process.
        var memory = new List<object>();
        double msPxPerSecond = 0;
        foreach (var size in sizes)
        {
            var child = RunChild(size, work);
            memory.Add(new { size, bands = 13, peakMiB = child.PeakMiB, pxPerSecond = child.PxPerSecond });
            msPxPerSecond = child.PxPerSecond;
            Console.WriteLine($"dense, synthetic {size}×{size}×13, stride 1, outputs written: peak memory {child.PeakMiB:0} MiB, {child.PxPerSecond:0} px/s");
        }
        double tileHours = (double)FullTile * FullTile / msPxPerSecond / 3600;
        Console.WriteLine($"extrapolated full tile {FullTile}×{FullTile}×13, dense stride 1, this machine: {tileHours:0.0} h " +
            $"(naive: {(double)FullTile * FullTile / naivePxPerSecond / 3600 / 24:0} days)");

        var results = new
        {
            cpuThreads = Environment.ProcessorCount, naiveCrop = naiveSize, agreementStride1 = agreement,
            naivePxPerSecond, densePxPerSecondCrop, densePxPerSecondScene = densePxPerSecond, speedup = densePxPerSecond / naivePxPerSecond,
            memory, fullTileHoursDenseStride1 = tileHours,
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "scene.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"results: {Path.Combine(outDir, "scene.json")}");
        return 0;
    }

    /// <summary>The child process: classify a synthetic size × size × 13 scene (into map files when <paramref name="write"/>) and print "peak-MiB px/s".</summary>
    static int MeasureMemory(int size, string dir, bool write)
    {
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(Environment.ProcessorCount);
        var input = Path.Combine(dir, $"synthetic{size}.tif");
        if (!File.Exists(input)) WriteSynthetic(input, size);
        using var raster = GdalRaster.Open(input);
        var (mean, std) = ChannelNormalization.OriginalMultispectral.ToFloats();
        var classifier = new SceneClassifier(SeededSceneCnn(13), new SceneClassifierOptions(mean, std));
        var watch = Stopwatch.StartNew();
        if (write)
            SceneMapWriter.Write(raster, Enumerable.Range(1, 13).ToArray(), classifier, ClassLegend.EuroSat,
                SceneOutputPaths.For(Path.Combine(dir, $"synthetic{size}-maps"), input, false));
        else
            foreach (var _ in classifier.Classify(raster)) { }
        var pxPerSecond = (double)size * size / watch.Elapsed.TotalSeconds;
        var peakKiB = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Console.WriteLine($"{long.Parse(peakKiB) / 1024.0:0} {pxPerSecond:0}");
        return 0;
    }

    static (double PeakMiB, double PxPerSecond) RunChild(int size, string work)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(SceneBenchmark).Assembly.Location);
        foreach (var a in new[] { "scene-memory", size.ToString(), work }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var last = process.StandardOutput.ReadToEnd().Trim().Split('\n')[^1].Split(' ');
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"scene-memory {size} failed with {process.ExitCode}");
        return (double.Parse(last[0]), double.Parse(last[1]));
    }

    /// <summary>A smooth, georeferenced 13-band UInt16 scene near the EuroSAT band means, written strip by strip.</summary>
    static void WriteSynthetic(string path, int size)
    {
        var (mean, std) = ChannelNormalization.OriginalMultispectral.ToFloats();
        string wkt;
        using (var scene = GdalRaster.Open(BundledScene.Path))
            wkt = scene.GeoReference!.ProjectionWkt;
        var georeference = new GeoReference([500000, 10, 0, 5600000, 0, -10], wkt);
        using var writer = GeoTiffWriter.Create(path, size, size, 13, RasterDataType.UInt16, georeference, new GeoTiffOptions(CloudOptimized: false));
        const int strip = 256;
        for (int y0 = 0; y0 < size; y0 += strip)
        {
            int rows = Math.Min(strip, size - y0);
            for (int b = 0; b < 13; b++)
            {
                var values = new float[rows * size];
                for (int y = 0; y < rows; y++)
                    for (int x = 0; x < size; x++)
                        values[y * size + x] = mean[b] + 2 * std[b] * MathF.Sin((x + 3 * b) / 37f) * MathF.Cos((y0 + y) / 53f);
                writer.Write(b + 1, 0, y0, size, rows, values);
            }
        }
        writer.Commit();
    }

    /// <summary>A scene CNN with seeded random weights: the benchmark measures speed and agreement, not accuracy.</summary>
    static WindowModel SeededSceneCnn(int bands, bool samePadding = false)
    {
        torch.manual_seed(42);
        return WindowModel.For(new SceneCnn(10, bands, samePadding));
    }

    static (byte[] Classes, double Seconds) Classes(SceneClassifier classifier, string path)
    {
        using var raster = GdalRaster.Open(path);
        var watch = Stopwatch.StartNew();
        var classes = new byte[raster.Width * raster.Height];
        foreach (var block in classifier.Classify(raster))
            for (int r = 0; r < block.Height; r++)
                Array.Copy(block.Classes, r * block.Width, classes, (block.Y + r) * raster.Width + block.X, block.Width);
        return (classes, watch.Elapsed.TotalSeconds);
    }
}
