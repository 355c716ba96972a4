using System.CommandLine;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Training;
using TorchSharp;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel classify</c>: one scene or tile to a class map through <see cref="SceneJob"/>, idempotently — outputs
/// made from the same input, model and options are skipped, another input's outputs of the same name are not overwritten
/// without --force, and no partial file is ever left under an output's name — so a batch scheduler can spread many
/// tiles over machines.
/// </summary>
static class ClassifyCommand
{
    static readonly Argument<string> Input = new("input") { Description = "A GeoTIFF/JP2/VRT with the model's bands (RGB or 13 EuroSAT MS bands), or a folder / SAFE product of Sentinel-2 band files." };
    static readonly Option<FileInfo> Model = new("--model") { Description = "A model file written by train (any architecture; it carries bands and normalisation), or bare SceneCnn weights (.safetensors/.pth state dict) for the input's band count.", Required = true };
    static readonly Option<DirectoryInfo> Output = new("--out") { Description = "Output folder.", Required = true };
    static readonly Option<ClassificationMode?> Mode = new("--mode") { Description = "dense (the convolutional part once per block, the head at every window: exact for unpadded networks such as SceneCnn, an approximation for padded ones such as ResNet18, whose agreement with naive windows is printed), naive (the original: every window on its own) or adaptive (naive windows coarse to fine: on a lattice of every 32 px first, then between only where the windows around disagree or are unsure, the rest interpolated; the share classified and the interpolated cells' agreement with their windows are printed). Default: dense where it is exact, naive otherwise." };
    static readonly Option<int?> Stride = new("--stride") { Description = $"Pixels between classified window centres; class probabilities are interpolated bilinearly between them (1 = every pixel's own window). Default: 1 in dense mode, {SceneClassifierOptions.NaiveDefaultStride} in naive and adaptive modes." };
    static readonly Option<SceneProduct?> Radiometry = new("--radiometry") { Description = "What the input's values are: EuroSat (already in the model's units), TciL1C, TciL2A, L1C, L2A (band files; add-offsets from the product's metadata). Default: detected from the name and data type." };
    static readonly Option<double> UncertainBelow = new("--uncertain-below") { Description = $"Mark pixels whose class probability is below this as Uncertain (value {(byte)MapMask.Uncertain}); 0 marks none.", DefaultValueFactory = _ => SceneClassifierOptions.DefaultUncertainBelow };
    static readonly Option<double?> SettledAbove = new("--settled-above") { Description = $"Adaptive mode: a cell between four classified cells of one class, each at least this probable, is interpolated instead of classified (0.5–1; higher classifies more windows). Default: {SceneClassifierOptions.DefaultAdaptiveSettledAbove}." };
    static readonly Option<bool> NoCloudTest = new("--no-cloud-test") { Description = "Skip the bright-and-white cloud test (clouds are then classified as if they were land)." };
    static readonly Option<bool> NoWaterTest = new("--no-water-test") { Description = "Skip the water test (where the input has near infrared B08 beside green B03, water classes only where green is above it)." };
    static readonly Option<int?> Bands = new("--bands") { Description = "Bands the model takes (3 or 13); by default the input file's count, 13 for folders." };
    static readonly Option<int> BlockSize = new("--block-size") { Description = "Pixels per side of the blocks processed at once (memory grows with its square).", DefaultValueFactory = _ => 512 };
    static readonly Option<int> BatchSize = new("--batch-size") { Description = "Windows per forward pass (naive mode).", DefaultValueFactory = _ => 256 };
    static readonly Option<string> Precision = PrecisionOption.Create();
    static readonly Option<int> Threads = new("--threads") { Description = "CPU threads for torch.", DefaultValueFactory = _ => Environment.ProcessorCount };
    static readonly Option<bool> Probabilities = new("--probabilities") { Description = "Also write every class's probability (one band per class)." };
    static readonly Option<double?> NoData = new("--nodata") { Description = "Input value meaning no data, overriding the file's." };
    static readonly Option<string> Device = DeviceOption.Create();
    static readonly Option<bool> Force = new("--force") { Description = "Classify again even when the outputs exist and were made from the same input, model and options; replace another input's outputs of the same name." };

    /// <summary>The most torch threads <c>--threads</c> accepts: more than a few per processor only adds contention.</summary>
    static int MaxThreads => 4 * Environment.ProcessorCount;

    public static Command Create()
    {
        var command = new Command("classify", "Classify a Sentinel-2 scene into a land-use map: class GeoTIFF (colour table), probability GeoTIFF, legend, preview.")
        {
            Input, Model, Output, Mode, Stride, Bands, BlockSize, BatchSize, Threads, Precision, Probabilities, NoData, Radiometry, UncertainBelow, SettledAbove, NoCloudTest, NoWaterTest, Force, Device,
        };
        command.SetAction(parse => CommandErrors.Run("classify", () =>
        {
            JobFrom(parse).Run();
            return 0;
        }));
        return command;
    }

    /// <summary>The job the options ask for; loads torch, resolves the device and sets torch's threads.</summary>
    static SceneJob JobFrom(ParseResult parse)
    {
        int threadCount = parse.GetValue(Threads);
        if (threadCount < 1 || threadCount > MaxThreads)
            throw new UserErrorException($"--threads {threadCount}: give 1 to {MaxThreads} (this machine has {Environment.ProcessorCount} processors).");
        TorchRuntime.EnsureLoaded();
        var device = DeviceOption.Resolve(parse, Device);
        torch.set_num_threads(threadCount);
        return new SceneJob
        {
            Input = parse.GetValue(Input)!, Model = parse.GetValue(Model)!.FullName, OutputFolder = parse.GetValue(Output)!.FullName,
            Mode = parse.GetValue(Mode), Stride = parse.GetValue(Stride), Bands = parse.GetValue(Bands),
            BlockSize = parse.GetValue(BlockSize), BatchSize = parse.GetValue(BatchSize), AllProbabilities = parse.GetValue(Probabilities),
            NoData = parse.GetValue(NoData), Radiometry = parse.GetValue(Radiometry), UncertainBelow = parse.GetValue(UncertainBelow), SettledAbove = parse.GetValue(SettledAbove),
            CloudTest = !parse.GetValue(NoCloudTest), WaterTest = !parse.GetValue(NoWaterTest), Force = parse.GetValue(Force), Device = device,
            Precision = PrecisionOption.Resolve(parse, Precision, "classify"), Progress = new ConsoleProgress(),
        };
    }
}
