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
/// <c>web-model</c>: the model the map page downloads (int8 weights and uint8 activations, as <c>export</c> writes it
/// for the page) against the export with int8 weights alone and the float32 export, in the page itself. The three
/// exports of one model map the same images in headless Chromium, in turn, in the page served as
/// <c>cnnsentinel serve</c> serves it: the bundled scene and a mosaic of the model's validation patches, at the page's
/// default stride; the mosaic also on one WebAssembly thread. Reports the file sizes, the page's own mapping times and
/// the share of pixels each light export labels as float32 does. Issue 26's goals: ≤ 16 MB, ≥ 99.5 % agreement, the
/// bundled scene in ≤ 60 s.
/// </summary>
static partial class WebModelBenchmark
{
    static readonly string Web = Path.Combine(ProjectPaths.Root, "web");

    /// <summary>The three exports compared, in the order their runs take turns.</summary>
    enum Export { Float32, Int8Weights, Page }

    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "Model file to export (default: the shipped RGB model).", DefaultValueFactory = _ => new FileInfo(ProjectPaths.ShippedRgbModel) };
        var image = new Option<FileInfo>("--image") { Description = "Scene to map in the page (default: the bundled scene).", DefaultValueFactory = _ => new FileInfo(BundledScene()) };
        var data = new Option<DirectoryInfo>("--data") { Description = "EuroSAT folder the mosaic's validation patches come from (default: the full development copy beside the checkout if present, else the bundled sample)." };
        var perClass = new Option<int>("--per-class") { Description = "Validation patches of each class in the mosaic.", DefaultValueFactory = _ => 10 };
        var stride = new Option<int>("--stride") { Description = "The page's stride (8, 16, 32 or 64).", DefaultValueFactory = _ => 16 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the three models, the mosaic and the report.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench", "web-model")) };
        var command = new Command("web-model", "The map page's model (int8 weights, uint8 activations) against int8 weights alone and float32, in headless Chromium: sizes, mapping times, label agreement on the bundled scene and a mosaic.")
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
        var metadata = ExportMetadata.For(description);
        var models = new Dictionary<Export, string>();
        // Calibrated as `export` calibrates by default: on the bundled sample of the model's bands.
        var calibrationFolder = ProjectPaths.BundledPatches(network.Bands);
        string calibration;
        using (network)
        using (var windows = OnnxExport.CalibrationWindows(EuroSatDataset.Open(calibrationFolder), metadata))
        {
            calibration = $"{windows.shape[0]} patches of {Path.GetRelativePath(ProjectPaths.Root, calibrationFolder)}";
            foreach (var export in Enum.GetValues<Export>())
            {
                var path = Path.Combine(outDir, export.ToString().ToLowerInvariant(), "model.onnx");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                OnnxExport.Save(network, path, metadata, export == Export.Float32 ? OnnxWeights.Float32 : OnnxWeights.Int8, export == Export.Page ? windows : null);
                models[export] = path;
            }
        }

        var dataset = EuroSatDataset.Open(folder);
        var sides = MapAccuracyBenchmark.ModelSides(dataset, description, MapAccuracyBenchmark.CommittedSplitFor(folder, modelPath));
        var mosaic = LabelledMosaic.Arrange(dataset, sides.Validation, perClass, seed: 42);
        var mosaicImage = Path.Combine(outDir, "mosaic.tif");
        mosaic.WriteImage(dataset, mosaicImage);
        Console.WriteLine($"scene {Path.GetFileName(scene)}; mosaic of {perClass} validation patches per class from {folder} ({mosaic.Width}×{mosaic.Height} px); page model calibrated on {calibration}");

        // The page loads the float32 model as its model.onnx and is given the others through its model picker; the
        // runs of the three take turns, so that other load on the machine falls on all alike.
        List<JsonObject> cases = [];
        foreach (var (image, threads) in new[] { (scene, 0), (mosaicImage, 0), (mosaicImage, 1) })
            foreach (var export in models.Keys)
            {
                var run = new JsonObject { ["image"] = image, ["stride"] = stride };
                if (threads > 0) run["threads"] = threads;
                if (export != Export.Float32) run["model"] = models[export];
                cases.Add(run);
            }
        var maps = MapInThePage(models[Export.Float32], cases);
        var runs = models.Keys.Select((export, k) => (export, maps.Where((_, i) => i % models.Count == k).ToList())).ToDictionary(r => r.export, r => r.Item2);
        var bytes = models.ToDictionary(m => m.Key, m => new FileInfo(m.Value).Length);
        WebModelSide Side(Export export)
        {
            var (own, anchor) = (runs[export], runs[Export.Float32]);
            return new(bytes[export], own[0].Seconds, own[1].Seconds, own[2].Seconds, Agreement(anchor[0], own[0]), Agreement(anchor[1], own[1]),
                UncertainShareOfDisagreements(anchor[0], own[0]), UncertainShareOfDisagreements(anchor[1], own[1]));
        }
        var (page, weightsOnly, float32) = (Side(Export.Page), Side(Export.Int8Weights), Side(Export.Float32));

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(culture, $"model file: page {page.Bytes / 1e6:0.00} MB, int8 weights {weightsOnly.Bytes / 1e6:0.00} MB, float32 {float32.Bytes / 1e6:0.00} MB " +
            $"(ratio {page.Bytes / (double)float32.Bytes:0.000}; goal ≤ {WebModelReport.MostBytes / 1e6:0} MB)"));
        foreach (var (name, side) in new[] { ("page", page), ("int8 weights", weightsOnly) })
            Console.WriteLine(string.Create(culture, $"{name}: same label as float32 on {side.SceneAgreement:P3} of the scene's pixels, {side.MosaicAgreement:P3} of the mosaic's " +
                $"(goal ≥ {WebModelReport.LeastAgreement:P1}); Uncertain on one side in {side.SceneDisagreementsUncertainOnOneSide:P0} and {side.MosaicDisagreementsUncertainOnOneSide:P0} of the differing pixels"));
        Console.WriteLine(string.Create(culture, $"scene at stride {stride} in the page: page {page.SceneSeconds:0.0} s, int8 weights {weightsOnly.SceneSeconds:0.0} s, float32 {float32.SceneSeconds:0.0} s " +
            $"(ratio {page.SceneSeconds / float32.SceneSeconds:0.00} to float32, {page.SceneSeconds / weightsOnly.SceneSeconds:0.00} to int8 weights; goal ≤ {WebModelReport.MostSceneSeconds:0} s) on {runs[Export.Page][0].Backend}"));
        Console.WriteLine(string.Create(culture, $"mosaic: page {page.MosaicSeconds:0.0} s on {runs[Export.Page][1].Backend}, {page.MosaicOneThreadSeconds:0.0} s on {runs[Export.Page][2].Backend} " +
            $"(ratio {page.MosaicOneThreadSeconds / page.MosaicSeconds:0.00}); int8 weights {weightsOnly.MosaicSeconds:0.0} s and {weightsOnly.MosaicOneThreadSeconds:0.0} s; " +
            $"float32 {float32.MosaicSeconds:0.0} s and {float32.MosaicOneThreadSeconds:0.0} s"));

        var report = new WebModelReport(Path.GetFileName(modelPath), Path.GetFileName(scene), runs[Export.Float32][0].Width, runs[Export.Float32][0].Height,
            Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset.Root)), perClass, stride, runs[Export.Page][0].Backend, calibration,
            page, weightsOnly, float32, MachineDescription.Hardware);
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
