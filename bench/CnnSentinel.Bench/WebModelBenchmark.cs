using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Export;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tools;

namespace CnnSentinel.Bench;

/// <summary>
/// <c>web-model</c>: the model the map page downloads, int8 against float32, in the page itself. Both exports of one
/// model map the same images in headless Chromium, in turn, in the page served cross-origin isolated as
/// <c>cnnsentinel serve</c> serves it: the bundled scene and a mosaic of the model's validation patches, at the
/// page's default stride; the mosaic also on one WebAssembly thread. Reports the file sizes, the page's own mapping
/// times and the share of pixels whose label the two models agree on. Issue 26's goals: ≤ 16 MB, ≥ 99.5 % agreement,
/// the bundled scene in ≤ 60 s.
/// </summary>
static partial class WebModelBenchmark
{
    static readonly string Web = Path.Combine(ProjectPaths.Root, "web");

    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "Model file to export (default: the shipped RGB model).", DefaultValueFactory = _ => new FileInfo(ProjectPaths.ShippedRgbModel) };
        var image = new Option<FileInfo>("--image") { Description = "Scene to map in the page (default: the bundled scene).", DefaultValueFactory = _ => new FileInfo(BundledScene()) };
        var data = new Option<DirectoryInfo>("--data") { Description = "EuroSAT folder the mosaic's validation patches come from (default: the full development copy beside the checkout if present, else the bundled sample)." };
        var perClass = new Option<int>("--per-class") { Description = "Validation patches of each class in the mosaic.", DefaultValueFactory = _ => 10 };
        var stride = new Option<int>("--stride") { Description = "The page's stride (8, 16, 32 or 64).", DefaultValueFactory = _ => 16 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the two models, the mosaic and the report.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench", "web-model")) };
        var command = new Command("web-model", "The map page's model, int8 against float32, in headless Chromium: sizes, mapping times, label agreement on the bundled scene and a mosaic.")
        {
            model, image, data, perClass, stride, output,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!.FullName, parse.GetValue(image)!.FullName,
            parse.GetValue(data)?.FullName ?? TimeToAccuracyBenchmark.DefaultData(), parse.GetValue(perClass), parse.GetValue(stride), parse.GetValue(output)!.FullName));
        return command;
    }

    static string BundledScene() => Directory.GetFiles(Path.Combine(ProjectPaths.Root, "data", "scene"), "*.tif").Order().First();

    static int Run(string modelPath, string scene, string folder, int perClass, int stride, string outDir)
    {
        TorchRuntime.EnsureLoaded();
        Directory.CreateDirectory(outDir);
        var (network, description) = ModelFile.Load(modelPath);
        var models = new Dictionary<OnnxWeights, string>();
        using (network)
            foreach (var weights in new[] { OnnxWeights.Float32, OnnxWeights.Int8 })
            {
                var path = Path.Combine(outDir, weights.ToString().ToLowerInvariant(), "model.onnx");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                OnnxExport.Save(network, path, ExportMetadata.For(description), weights);
                models[weights] = path;
            }

        var dataset = EuroSatDataset.Open(folder);
        var sides = MapAccuracyBenchmark.ModelSides(dataset, description, MapAccuracyBenchmark.CommittedSplitFor(folder, modelPath));
        var mosaic = LabelledMosaic.Arrange(dataset, sides.Validation, perClass, seed: 42);
        var mosaicImage = Path.Combine(outDir, "mosaic.tif");
        mosaic.WriteImage(dataset, mosaicImage);
        Console.WriteLine($"scene {Path.GetFileName(scene)}; mosaic of {perClass} validation patches per class from {folder} ({mosaic.Width}×{mosaic.Height} px)");

        // The page loads the float32 model as its model.onnx and is given the int8 one through its model picker; the
        // runs of the two alternate, so that other load on the machine falls on both alike.
        List<JsonObject> cases = [];
        foreach (var (image, threads) in new[] { (scene, 0), (mosaicImage, 0), (mosaicImage, 1) })
            foreach (var weights in models.Keys)
            {
                var run = new JsonObject { ["image"] = image, ["stride"] = stride };
                if (threads > 0) run["threads"] = threads;
                if (weights != OnnxWeights.Float32) run["model"] = models[weights];
                cases.Add(run);
            }
        var maps = MapInThePage(models[OnnxWeights.Float32], cases);
        var runs = models.Keys.Select((weights, k) => (weights, maps.Where((_, i) => i % models.Count == k).ToList())).ToDictionary(r => r.weights, r => r.Item2);
        var (float32, int8) = (runs[OnnxWeights.Float32], runs[OnnxWeights.Int8]);

        var bytes = models.ToDictionary(m => m.Key, m => new FileInfo(m.Value).Length);
        var sceneAgreement = Agreement(float32[0], int8[0]);
        var mosaicAgreement = Agreement(float32[1], int8[1]);
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(culture, $"model file: int8 {bytes[OnnxWeights.Int8] / 1e6:0.00} MB, float32 {bytes[OnnxWeights.Float32] / 1e6:0.00} MB " +
            $"(ratio {bytes[OnnxWeights.Int8] / (double)bytes[OnnxWeights.Float32]:0.000}; goal ≤ {WebModelReport.MostBytes / 1e6:0} MB)"));
        var (sceneUncertain, mosaicUncertain) = (UncertainShareOfDisagreements(float32[0], int8[0]), UncertainShareOfDisagreements(float32[1], int8[1]));
        Console.WriteLine(string.Create(culture, $"same label as float32: {sceneAgreement:P3} of the scene's pixels, {mosaicAgreement:P3} of the mosaic's (goal ≥ {WebModelReport.LeastAgreement:P1}); " +
            $"Uncertain on one side in {sceneUncertain:P0} and {mosaicUncertain:P0} of the differing pixels"));
        Console.WriteLine(string.Create(culture, $"scene at stride {stride} in the page: int8 {int8[0].Seconds:0.0} s, float32 {float32[0].Seconds:0.0} s " +
            $"(ratio {int8[0].Seconds / float32[0].Seconds:0.00}; goal ≤ {WebModelReport.MostSceneSeconds:0} s) on {int8[0].Backend}"));
        Console.WriteLine(string.Create(culture, $"mosaic: int8 {int8[1].Seconds:0.0} s on {int8[1].Backend}, {int8[2].Seconds:0.0} s on {int8[2].Backend} " +
            $"(ratio {int8[2].Seconds / int8[1].Seconds:0.00}); float32 {float32[1].Seconds:0.0} s and {float32[2].Seconds:0.0} s"));

        WebModelSide Side(OnnxWeights weights) => new(bytes[weights], runs[weights][0].Seconds, runs[weights][1].Seconds, runs[weights][2].Seconds);
        var report = new WebModelReport(Path.GetFileName(modelPath), Path.GetFileName(scene), float32[0].Width, float32[0].Height,
            Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset.Root)), perClass, stride, int8[0].Backend,
            Side(OnnxWeights.Int8), Side(OnnxWeights.Float32), sceneAgreement, mosaicAgreement, sceneUncertain, mosaicUncertain, MachineDescription.Hardware);
        var reportPath = Path.Combine(outDir, WebModelReport.FileName);
        report.Write(reportPath);
        Console.WriteLine($"written {reportPath}; copy it to data/results/ and run `cnnsentinel results --update README.md` to show it in the README");
        return 0;
    }

    /// <summary>One map the page made: its label per pixel, its size, the time it reports and what it ran on.</summary>
    sealed record PageMap(byte[] Classes, int Width, int Height, double Seconds, string Backend);

    /// <summary>Maps each case in a page that loads <paramref name="model"/> as its model.onnx (web/test/drive-map-page.mjs).</summary>
    static List<PageMap> MapInThePage(string model, List<JsonObject> cases)
    {
        using var server = new MapPageServer(Web, extraFiles: new Dictionary<string, string> { ["model.onnx"] = model });
        var spec = new JsonObject
        {
            ["url"] = server.Url,
            ["chromium"] = "/usr/bin/chromium",
            ["mapTimeoutSeconds"] = 1800,
            ["cases"] = new JsonArray([.. cases]),
        };
        Console.WriteLine($"mapping {cases.Count} images in the page…");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Web, "test", "drive-map-page.mjs"));
        start.ArgumentList.Add(spec.ToJsonString());
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"the page driver failed ({process.ExitCode}): {stderr.Result}");
        return JsonNode.Parse(stdout)!.AsArray().Select(result =>
        {
            if (!string.IsNullOrEmpty((string?)result!["error"])) throw new InvalidOperationException($"the page says: {result["error"]}");
            var status = (string)result["status"]!;
            var done = DoneStatus().Match(status);
            if (!done.Success) throw new InvalidOperationException($"the page's status no longer says its time and backend: {status}");
            var map = result["map"]!;
            return new PageMap(map["classes"]!.AsArray().Select(c => (byte)(int)c!).ToArray(), (int)map["width"]!, (int)map["height"]!,
                double.Parse(done.Groups["seconds"].Value, CultureInfo.InvariantCulture), done.Groups["backend"].Value);
        }).ToList();
    }

    static double Agreement(PageMap a, PageMap b) =>
        a.Classes.Length == b.Classes.Length
            ? a.Classes.Where((value, i) => value == b.Classes[i]).Count() / (double)a.Classes.Length
            : throw new InvalidOperationException($"maps of {a.Classes.Length} and {b.Classes.Length} pixels");

    /// <summary>
    /// Of the pixels the two maps label differently, the share where one of them says Uncertain: a probability near the
    /// threshold crosses it with the slightest change, whichever way the weights are stored.
    /// </summary>
    static double UncertainShareOfDisagreements(PageMap a, PageMap b)
    {
        var differing = Enumerable.Range(0, a.Classes.Length).Where(i => a.Classes[i] != b.Classes[i]).ToList();
        return differing.Count == 0 ? 0 : differing.Count(i => a.Classes[i] == (byte)MapMask.Uncertain || b.Classes[i] == (byte)MapMask.Uncertain) / (double)differing.Count;
    }

    [GeneratedRegex(@" in (?<seconds>[0-9.]+) s on (?<backend>[^;]+);")]
    private static partial Regex DoneStatus();
}
