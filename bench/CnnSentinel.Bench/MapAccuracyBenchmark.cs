using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.IO;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Training;

namespace CnnSentinel.Bench;

/// <summary>
/// <c>map-accuracy</c>: how much of a land-use map is right, against truth. Validation patches of the model (never its
/// training patches) are laid out as one georeferenced scene (<see cref="LabelledMosaic"/>), the scene is classified by
/// <c>cnnsentinel classify</c>'s own job (<see cref="SceneJob"/>, the command's defaults and files), and the map is scored cell by cell
/// (<see cref="MapAccuracy"/>). Issue 12's goal for the shipped RGB model: ≥ 97 % at patch centres, ≥ 90 % by patch majority.
/// </summary>
static class MapAccuracyBenchmark
{
    /// <summary>The report's file name in the output folder.</summary>
    public const string FileName = "map-accuracy.json";

    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "EuroSAT folder the patches come from (default: the full development copy beside the checkout if present, else the bundled sample)." };
        var model = new Option<FileInfo>("--model") { Description = "Model file to classify with (default: the shipped RGB model).", DefaultValueFactory = _ => new FileInfo(ProjectPaths.ShippedRgbModel) };
        var split = new Option<FileInfo?>("--split") { Description = "Split manifest whose validation side the patches come from (default: the model's own split, made again from its description; for the bundled sample and the shipped model, the committed manifest beside it)." };
        var perClass = new Option<int>("--per-class") { Description = "Validation patches of each class in the mosaic.", DefaultValueFactory = _ => 10 };
        var mode = new Option<ClassificationMode?>("--mode") { Description = "Passed to classify (default: classify's)." };
        var stride = new Option<int?>("--stride") { Description = "Passed to classify (default: classify's)." };
        var noCloudTest = new Option<bool>("--no-cloud-test") { Description = "Passed to classify: without the cloud test (by default it runs, as classify runs it, and the share of built-up tile centres it masks is reported)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the choice of patches and their arrangement.", DefaultValueFactory = _ => 42 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the mosaic, its truth, the map and the report.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench", "map-accuracy")) };
        var command = new Command("map-accuracy", "Map accuracy against truth: a mosaic of validation patches classified by `classify`, scored at patch centres and by patch majority.")
        {
            data, model, split, perClass, mode, stride, noCloudTest, seed, output,
        };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(data)?.FullName ?? TimeToAccuracyBenchmark.DefaultData();
            var modelPath = parse.GetValue(model)!.FullName;
            var manifest = parse.GetValue(split)?.FullName ?? CommittedSplitFor(folder, modelPath);
            return Run(folder, modelPath, manifest, parse.GetValue(perClass), parse.GetValue(mode), parse.GetValue(stride), !parse.GetValue(noCloudTest), parse.GetValue(seed), parse.GetValue(output)!.FullName);
        });
        return command;
    }

    static int Run(string folder, string modelPath, string? manifest, int perClass, ClassificationMode? mode, int? stride, bool cloudTest, int seed, string outDir)
    {
        var dataset = EuroSatDataset.Open(folder);
        var description = ModelFile.ReadDescription(modelPath);
        if (description.Bands.Count != dataset.BandCount)
            throw new ArgumentException($"{modelPath} reads {description.Bands.Count} bands; {folder} holds {dataset.BandCount}-band patches.");
        var splitSource = manifest ?? $"made again from {Path.GetFileName(modelPath)} (seed {description.Training?.Seed})";
        var sides = ModelSides(dataset, description, manifest);
        Console.WriteLine($"{folder}: {dataset.Samples.Count} patches, {sides.Validation.Count} on the validation side ({splitSource})");

        Directory.CreateDirectory(outDir);
        var mosaic = LabelledMosaic.Arrange(dataset, sides.Validation, perClass, seed);
        var image = Path.Combine(outDir, "mosaic.tif");
        mosaic.WriteImage(dataset, image);
        mosaic.WriteTruthRaster(Path.Combine(outDir, "mosaic_truth.tif"));
        mosaic.Save(Path.Combine(outDir, "mosaic_truth.json"));
        Console.WriteLine($"mosaic: {mosaic.Columns}×{mosaic.Rows} cells of {perClass} patches per class, {mosaic.Width}×{mosaic.Height} px → {image}");

        var maps = Path.Combine(outDir, "maps");
        var (wallSeconds, map) = Classify(image, modelPath, maps, mode, stride, cloudTest);
        double classifyPxPerSecond = map.PixelsPerSecond;
        var outputs = map.Outputs!;
        // The run record (what classify published with the map): a JSON object of settings, read for the mode and stride it chose.
        var run = JsonNode.Parse(File.ReadAllText(outputs.Run))?.AsObject() ?? throw new InvalidDataException($"classify wrote no run record ({outputs.Run}).");
        var accuracy = MapAccuracy.Score(mosaic, outputs.Classes);
        double pixels = (double)mosaic.Width * mosaic.Height;
        double uncertainCentres = UncertainCentres(mosaic, map);
        double? builtUpMasked = cloudTest ? BuiltUpCentresMasked(mosaic, map, description.Classes) : null;

        Console.WriteLine();
        Console.Write(accuracy.ToText());
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{((string)run["mode"]!).ToLowerInvariant()} mode, stride {(string)run["stride"]!}: centre {accuracy.Centre:P2} (goal ≥ 97 %), " +
            $"majority {accuracy.Majority:P2} (goal ≥ 90 %); classify {classifyPxPerSecond:0} px/s, " +
            $"{pixels / wallSeconds:0} px/s with model loading ({wallSeconds:0.0} s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"with classify's default --uncertain-below {SceneClassifierOptions.DefaultUncertainBelow}, {uncertainCentres:P1} of the centres would be marked Uncertain instead"));
        Console.WriteLine(builtUpMasked is { } masked
            ? string.Create(CultureInfo.InvariantCulture, $"the cloud test masked {masked:P1} of the built-up tiles' centres ({string.Join(", ", CloudTest.BuiltUpClassNames)}; goal ≤ 2 %)")
            : "without the cloud test");

        var report = new JsonObject
        {
            ["data"] = Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset.Root)),
            ["files"] = dataset.Samples.Count,
            ["model"] = Path.GetFileName(modelPath),
            ["split"] = manifest is null ? splitSource : Path.GetFileName(manifest),
            ["perClass"] = perClass,
            ["seed"] = seed,
            ["width"] = mosaic.Width,
            ["height"] = mosaic.Height,
            ["mode"] = (string)run["mode"]!,
            ["stride"] = int.Parse((string)run["stride"]!, CultureInfo.InvariantCulture),
            ["classifyPxPerSecond"] = classifyPxPerSecond,
            ["wallSeconds"] = wallSeconds,
            ["wallPxPerSecond"] = pixels / wallSeconds,
            ["machine"] = MachineDescription.Hardware,
            ["accuracy"] = accuracy.ToJson(),
            ["uncertainCentresAtDefaultThreshold"] = uncertainCentres,
            ["cloudTest"] = cloudTest,
            ["builtUpCentresMaskedByCloudTest"] = builtUpMasked,
            // Adaptive mode: the share of cells whose windows the network classified, and the sampled interpolated cells' agreement with theirs.
            ["classifiedCellShare"] = map.ClassifiedCellShare,
            ["naiveAgreement"] = map.NaiveAgreement,
            ["naiveAgreementSamples"] = map.NaiveAgreementSamples,
        };
        var path = Path.Combine(outDir, FileName);
        AtomicFile.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"written {path}");
        return 0;
    }

    /// <summary>Share of the tiles whose centre pixel's class probability is below classify's default uncertainty threshold.</summary>
    static double UncertainCentres(LabelledMosaic mosaic, SceneMap map)
    {
        var probability = map.Probability;
        int below = 0;
        for (int row = 0; row < mosaic.Rows; row++)
            for (int column = 0; column < mosaic.Columns; column++)
                if (probability[(row * LabelledMosaic.TileSize + MapAccuracy.CentrePixel) * map.Width + column * LabelledMosaic.TileSize + MapAccuracy.CentrePixel]
                    < SceneClassifierOptions.DefaultUncertainBelow) below++;
        return below / (double)(mosaic.Rows * mosaic.Columns);
    }

    /// <summary>
    /// Share of the built-up tiles (<see cref="CloudTest.BuiltUpClassNames"/>) whose centre pixel the cloud test took from
    /// its class: Cloud, or Uncertain for a cloudy window (classify ran with no probability threshold, so every other
    /// Uncertain comes from the cloud test too).
    /// </summary>
    static double BuiltUpCentresMasked(LabelledMosaic mosaic, SceneMap map, IReadOnlyList<string> classes)
    {
        var builtUp = CloudTest.BuiltUpClassNames.Select(n => classes.ToList().IndexOf(n)).ToHashSet();
        var mapClasses = map.Classes;
        var centres = mosaic.Tiles.Where(t => builtUp.Contains(t.Patch.ClassIndex))
            .Select(t => mapClasses[(t.Y + MapAccuracy.CentrePixel) * map.Width + t.X + MapAccuracy.CentrePixel]).ToList();
        return centres.Count(centre => centre is (byte)MapMask.Cloud or (byte)MapMask.Uncertain) / (double)centres.Count;
    }

    /// <summary>
    /// The bundled sample is a part of the folder the shipped model was split on, so its sides come from the committed
    /// manifest (<see cref="ProjectPaths.ShippedRgbModelSampleSplit"/>); anything else from the model's description.
    /// </summary>
    internal static string? CommittedSplitFor(string folder, string modelPath) =>
        SamePath(folder, Path.Combine(ProjectPaths.Root, "data", "eurosat-rgb")) && SamePath(modelPath, ProjectPaths.ShippedRgbModel)
            ? ProjectPaths.ShippedRgbModelSampleSplit
            : null;

    /// <summary>
    /// The model's training and validation sides of <paramref name="dataset"/>: those of <paramref name="manifest"/> when
    /// given (e.g. <see cref="CommittedSplitFor"/>), else its split made again from its description.
    /// </summary>
    internal static SplitManifest ModelSides(EuroSatDataset dataset, ModelDescription description, string? manifest) =>
        manifest is null ? description.ReproduceSplit(dataset) : SplitManifest.Read(manifest, dataset);

    static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    /// <summary>
    /// Classifies the mosaic as <c>cnnsentinel classify</c> does (<see cref="SceneJob"/>), printing its lines; its wall time,
    /// model loading included, and the map (its pixels per second are those of the classification itself).
    /// </summary>
    static (double WallSeconds, SceneMap Map) Classify(string image, string model, string outDir, ClassificationMode? mode, int? stride, bool cloudTest)
    {
        TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(Environment.ProcessorCount); // classify's default --threads
        var clock = Stopwatch.StartNew();
        // The model's classes wherever the cloud test leaves them: a mosaic of EuroSAT patches has no clouds, so whatever
        // the test masks is a mistake of the test, and the uncertain mark is judged from the probability map instead (see
        // Run), so that the accuracy is that of the classes themselves.
        var map = new SceneJob
        {
            Input = image, Model = model, OutputFolder = outDir, Force = true, UncertainBelow = 0, CloudTest = cloudTest, Mode = mode, Stride = stride,
            Progress = new ConsoleProgress(),
        }.Run()!;
        return (clock.Elapsed.TotalSeconds, map);
    }
}
