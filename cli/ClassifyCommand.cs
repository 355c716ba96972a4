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
        var model = new Option<FileInfo>("--model") { Description = "Weights of a SceneCnn (.safetensors or .pth state dict, e.g. saved by notebook 06 or StateDictFile.Save) for the input's band count.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder.", Required = true };
        var mode = new Option<ClassificationMode>("--mode") { Description = "dense (fast) or naive (the original: every window on its own).", DefaultValueFactory = _ => ClassificationMode.Dense };
        var stride = new Option<int>("--stride") { Description = "Dense mode: pixels between classified windows (1 = every pixel).", DefaultValueFactory = _ => 1 };
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
            int bandCount = parse.GetValue(bands) ?? (Directory.Exists(path) ? 13 : BandCountOf(path));
            using var scene = SceneInput.Open(path, bandCount);
            var (mean, std) = ChannelNormalization.OriginalForBands(bandCount).ToFloats();
            var classifier = new SceneClassifier(LoadModel(parse.GetValue(model)!.FullName, bandCount), new SceneClassifierOptions(mean, std,
                parse.GetValue(mode), parse.GetValue(stride), parse.GetValue(blockSize), BatchSize: parse.GetValue(batchSize),
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

    /// <summary>The one place that turns a model file into a <see cref="WindowModel"/>.</summary>
    static WindowModel LoadModel(string path, int bands)
    {
        var model = new SceneCnn(EuroSatClasses.Names.Count, bands);
        model.LoadWeights(path);
        return WindowModel.From(model);
    }
}
