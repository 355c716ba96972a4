using System.CommandLine;
using CnnSentinel.Datasets;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;
using TorchSharp;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel classify</c>: one scene or tile to a class map, idempotently — finished outputs are skipped and no
/// partial file is ever left under an output's name — so a batch scheduler can spread many tiles over machines.
/// </summary>
static class ClassifyCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A GeoTIFF/JP2/VRT with the model's bands (RGB or 13 EuroSAT MS bands), or a folder / SAFE product of Sentinel-2 band files." };
        var model = new Option<FileInfo>("--model") { Description = "A model file written by train (any architecture; it carries bands and normalisation), or bare SceneCnn weights (.safetensors/.pth state dict) for the input's band count.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder.", Required = true };
        var mode = new Option<ClassificationMode?>("--mode") { Description = "dense (fast; models split into features and head, e.g. SceneCnn) or naive (the original: every window on its own). Default: dense where the model supports it." };
        var stride = new Option<int?>("--stride") { Description = $"Pixels between classified windows (1 = every pixel). Default: 1 in dense mode, {NaiveDefaultStride} in naive mode." };
        var bands = new Option<int?>("--bands") { Description = "Bands the model takes (3 or 13); by default the input file's count, 13 for folders." };
        var blockSize = new Option<int>("--block-size") { Description = "Pixels per side of the blocks processed at once (memory grows with its square).", DefaultValueFactory = _ => 512 };
        var batchSize = new Option<int>("--batch-size") { Description = "Windows per forward pass (naive mode).", DefaultValueFactory = _ => 256 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for torch.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var probabilities = new Option<bool>("--probabilities") { Description = "Also write every class's probability (one band per class)." };
        var noData = new Option<double?>("--nodata") { Description = "Input value meaning no data, overriding the file's." };
        var force = new Option<bool>("--force") { Description = "Classify again even when all outputs exist." };
        var command = new Command("classify", "Classify a Sentinel-2 scene into a land-use map: class GeoTIFF (colour table), probability GeoTIFF, legend, preview.")
        {
            input, model, output, mode, stride, bands, blockSize, batchSize, threads, probabilities, noData, force,
        };
        command.SetAction(parse => CommandErrors.Run("classify", () =>
        {
            var path = parse.GetValue(input)!;
            var outputs = SceneOutputPaths.For(parse.GetValue(output)!.FullName, path, parse.GetValue(probabilities));
            if (outputs.AllExist && !parse.GetValue(force))
            {
                Console.WriteLine($"classify: {path}: already done ({outputs.Classes}); skipped");
                return 0;
            }
            TorchRuntime.EnsureLoaded();
            torch.set_num_threads(Math.Max(1, parse.GetValue(threads)));
            var modelPath = parse.GetValue(model)!.FullName;
            var description = ModelFile.HasDescription(modelPath) ? ModelFile.ReadDescription(modelPath) : null;
            int bandCount = description?.Bands.Count ?? parse.GetValue(bands) ?? (Directory.Exists(path) ? 13 : BandCountOf(path));
            if (description is not null && parse.GetValue(bands) is { } asked && asked != bandCount)
                throw new ArgumentException($"--bands {asked}: {modelPath} reads {bandCount} bands ({string.Join(", ", description.Bands)}).");
            using var scene = SceneInput.Open(path, bandCount);
            var windowModel = LoadModel(modelPath, description, bandCount);
            var chosenMode = parse.GetValue(mode) ?? (windowModel.SupportsDense ? ClassificationMode.Dense : ClassificationMode.Naive);
            int chosenStride = parse.GetValue(stride) ?? (chosenMode == ClassificationMode.Dense ? 1 : NaiveDefaultStride);
            var (mean, std) = (description?.Normalization ?? ChannelNormalization.OriginalForBands(bandCount)).ToFloats();
            Console.WriteLine($"classify: {chosenMode.ToString().ToLowerInvariant()} mode, stride {chosenStride}");
            var classifier = new SceneClassifier(windowModel, new SceneClassifierOptions(mean, std,
                chosenMode, chosenStride, parse.GetValue(blockSize), BatchSize: parse.GetValue(batchSize),
                NoData: parse.GetValue(noData), KeepAllProbabilities: parse.GetValue(probabilities)));
            var summary = SceneMapWriter.Write(scene.Raster, scene.Bands, classifier, ClassLegend.EuroSat, outputs);
            Console.WriteLine($"classify: {path}: {summary.Width}×{summary.Height} px in {summary.Elapsed.TotalSeconds:0.0} s " +
                $"({summary.PixelsPerSecond:0} px/s) → {outputs.Classes}");
            return 0;
        }));
        return command;
    }

    static int BandCountOf(string path)
    {
        using var raster = GdalRaster.Open(path);
        return raster.BandCount;
    }

    /// <summary>Windows between classified centres in naive mode when --stride is not given (stride 1 is the original's every pixel).</summary>
    const int NaiveDefaultStride = 8;

    /// <summary>
    /// The one place that turns a model file into a <see cref="WindowModel"/>: a described model file as it says (a SceneCnn
    /// with dense support, any other network for naive windows of its patch size); bare weights as a SceneCnn.
    /// </summary>
    static WindowModel LoadModel(string path, ModelDescription? description, int bands)
    {
        if (description is not null)
        {
            var (network, _) = ModelFile.Load(path);
            return network is SceneCnn scene ? WindowModel.From(scene) : WindowModel.FromModule(network, description.PatchSize);
        }
        var model = new SceneCnn(EuroSatClasses.Names.Count, bands);
        model.LoadWeights(path);
        return WindowModel.From(model);
    }
}
