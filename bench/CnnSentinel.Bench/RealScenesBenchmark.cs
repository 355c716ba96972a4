using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.Evaluation.Assessment;
using CnnSentinel.IO;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tools;

namespace CnnSentinel.Bench;

/// <summary>
/// <c>real-scenes</c>: maps of real Sentinel-2 scenes against real reference labels (issue 24). Every scene image under the
/// reference folders (<see cref="ReferenceSceneFolder"/>) is classified with a model as <c>classify</c> does by default, through
/// the library's scene API, and assessed against its folder's reference at the level of coarse groups (<see cref="MapAssessment"/>);
/// a picture of the map beside its reference (<see cref="MapAssessment.Figure"/>) is written next to the maps.
/// </summary>
/// <remarks>
/// The map is made without an Uncertain threshold and assessed with classify's default one (<see cref="SceneClassifierOptions.DefaultUncertainBelow"/>):
/// the same map classify writes by default, plus the full accuracy–coverage curve, which a thresholded map cannot give below its threshold.
/// </remarks>
static class RealScenesBenchmark
{
    /// <summary>The ending of each scene's picture of its map beside its reference (<see cref="MapAssessment.Figure"/>), after the image's name, beside the maps.</summary>
    public const string FigureSuffix = "_beside_reference.png";

    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "Model file to classify with (default: the shipped RGB model).", DefaultValueFactory = _ => new FileInfo(ProjectPaths.ShippedRgbModel) };
        var folders = new Option<DirectoryInfo[]>("--folder") { Description = "More folders of reference scenes (a scene folder, or a folder of them), besides the default.", AllowMultipleArgumentsPerToken = true };
        var only = new Option<bool>("--only") { Description = "Only the folders given with --folder, not the default (../shared/data/reference beside the checkout, else data/reference)." };
        var stride = new Option<int?>("--stride") { Description = "Pixels between classified window centres (default: classify's)." };
        var mode = new Option<ClassificationMode?>("--mode") { Description = "Passed to classify (default: classify's)." };
        var precision = new Option<ComputePrecision>("--precision") { Description = "Number format the network computes in (classify's default: Float32)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the maps and the report.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "bench")) };
        var command = new Command("real-scenes", "Maps of the real reference scenes (classify's defaults) assessed against their reference labels at the coarse level.")
        {
            model, folders, only, mode, stride, precision, output,
        };
        command.SetAction(parse =>
        {
            var given = (parse.GetValue(folders) ?? []).Select(f => f.FullName);
            IEnumerable<string> all = parse.GetValue(only) ? given : [DefaultFolder(), .. given];
            var roots = all.Distinct().ToList();
            if (roots.Count == 0) throw new ArgumentException("--only without --folder: no reference folder to run.");
            Run(roots, parse.GetValue(model)!.FullName, parse.GetValue(mode), parse.GetValue(stride), parse.GetValue(precision), parse.GetValue(output)!.FullName);
            return 0;
        });
        return command;
    }

    /// <summary>The shared reference scenes beside the checkout (<c>../shared/data/reference</c>) where present, else the committed <c>data/reference</c>.</summary>
    static string DefaultFolder() =>
        Path.GetFullPath(Path.Combine(ProjectPaths.Root, "..", "shared", "data", "reference")) is var shared && Directory.Exists(shared)
            ? shared : Path.Combine(ProjectPaths.Root, "data", "reference");

    /// <summary>Classifies and assesses every scene under <paramref name="roots"/>; writes the maps and <see cref="RealScenesReport.FileName"/> to <paramref name="outDir"/>.</summary>
    static void Run(IReadOnlyList<string> roots, string modelPath, ClassificationMode? mode, int? stride, ComputePrecision precision, string outDir)
    {
        TorchRuntime.EnsureLoaded();
        var (network, description) = ModelFile.Load(modelPath);
        var windowModel = WindowModel.For(network, description.PatchSize);
        var scenes = new JsonArray();
        Console.WriteLine($"{"scene",-48} {"product",-8} {"samples",7}  {"overall accuracy (95 % CI)",-26} {"Uncertain",9} {"masked",7}");
        foreach (var root in roots)
            foreach (var folder in ReferenceSceneFolder.FindAll(root))
                foreach (var image in folder.Images)
                    scenes.Add(Scene(root, folder, image, modelPath, description, windowModel, mode, stride, precision, outDir));
        if (scenes.Count == 0) throw new InvalidDataException($"no reference scenes under {string.Join(", ", roots)}.");
        var report = new JsonObject
        {
            ["model"] = Path.GetFileName(modelPath),
            ["machine"] = MachineDescription.Current,
            ["uncertainBelow"] = SceneClassifierOptions.DefaultUncertainBelow,
            ["scenes"] = scenes,
        };
        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, RealScenesReport.FileName);
        AtomicFile.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"written {path}");
    }

    static JsonObject Scene(string root, ReferenceSceneFolder folder, string image, string modelPath, ModelDescription description, WindowModel windowModel,
        ClassificationMode? mode, int? stride, ComputePrecision precision, string outDir)
    {
        var watch = Stopwatch.StartNew();
        using var scene = SceneInput.Open(image, description.Bands.Count);
        var defaults = SceneClassifierOptions.For(windowModel, description.Preprocessing, scene.Radiometry, description.Classes);
        var chosen = mode ?? defaults.Mode;
        // As classify chooses them (SceneJob): the stride defaults to the chosen mode's.
        var options = defaults with { Mode = chosen, Stride = stride ?? SceneClassifierOptions.DefaultStride(chosen), UncertainBelow = null, Precision = precision };
        var name = Path.GetRelativePath(root, folder.Folder) is "." ? Path.GetFileName(folder.Folder) : Path.GetRelativePath(root, folder.Folder);
        var outputs = SceneOutputPaths.For(Path.Combine(outDir, "real-scenes", name), image, allProbabilities: false);
        var map = SceneMap.Write(scene, windowModel, options, outputs);
        var assessment = MapAssessment.Assess(outputs.Classes, new AssessmentOptions(folder.Reference, folder.Field, folder.Mapping, outputs.Probability, defaults.UncertainBelow));
        var mapFolder = Path.GetDirectoryName(outputs.Classes)!;
        AtomicFile.WriteAllText(Path.Combine(mapFolder, Path.GetFileNameWithoutExtension(image) + "_assessment.txt"), assessment.ToText());
        using (var figure = assessment.Figure(ClassLegend.EuroSat))
            AtomicFile.WriteAllBytes(Path.Combine(mapFolder, Path.GetFileNameWithoutExtension(image) + FigureSuffix), ClassMapImage.ToPng(figure));
        var (low, high) = assessment.OverallInterval;
        var product = scene.Radiometry.Product.ToString();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.Combine(name, Path.GetFileName(image)),-48} {product,-8} {assessment.Samples,7}  {assessment.OverallAccuracy:0.000} ({low:0.000}–{high:0.000}){"",8} {assessment.UncertainShare,9:P1} {assessment.MaskedShare,7:P1}"));
        var full = assessment.ToJson();
        return new JsonObject
        {
            ["folder"] = name,
            ["image"] = Path.GetFileName(image),
            ["reference"] = Path.GetFileName(folder.Reference),
            ["referenceKind"] = full["referenceKind"]?.DeepClone(),
            ["field"] = full["field"]?.DeepClone(),
            // The built-in mapping's source is a phrase, not a path: its "file name" is the phrase itself.
            ["mapping"] = Path.GetFileName(assessment.MappingSource),
            ["map"] = Path.GetFileName(outputs.Classes),
            ["model"] = Path.GetFileName(modelPath),
            ["product"] = product,
            ["mode"] = options.Mode.ToString(),
            ["stride"] = options.Stride,
            ["precision"] = options.Precision.ToString(),
            ["classifiedCellShare"] = map.ClassifiedCellShare, // adaptive mode: the share of windows classified on their own
            ["uncertainBelow"] = defaults.UncertainBelow,
            ["seconds"] = watch.Elapsed.TotalSeconds,
            ["samples"] = assessment.Samples,
            ["correct"] = assessment.Correct,
            ["overallAccuracy"] = assessment.OverallAccuracy,
            ["overallLow"] = low,
            ["overallHigh"] = high,
            ["uncertainShare"] = assessment.UncertainShare,
            ["maskedShare"] = assessment.MaskedShare,
            ["noDataSamples"] = assessment.NoDataSamples,
            // What a perfect classifier of the model's windows would score (MapAssessment.WindowMajorityAccuracy; null for points).
            ["window"] = description.PatchSize,
            ["windowMajority"] = assessment.WindowMajorityAccuracy(description.PatchSize),
            ["estimatedOverall"] = full["estimatedOverall"]!.DeepClone(),
            ["groups"] = full["groups"]!.DeepClone(),
            ["rows"] = full["rows"]!.DeepClone(),
            ["confusion"] = full["confusion"]!.DeepClone(),
            ["perGroup"] = full["perGroup"]!.DeepClone(),
            ["coverage"] = full["coverage"]?.DeepClone(),
        };
    }
}
