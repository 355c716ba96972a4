using System.CommandLine;
using System.Globalization;
using CnnSentinel.Datasets;
using CnnSentinel.IO;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Training;
using CnnSentinel.Transforms;
using TorchSharp;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel classify</c>: one scene or tile to a class map, idempotently — outputs made from the same input, model
/// and options are skipped (<see cref="SceneRunRecord"/>), another input's outputs of the same name are not overwritten
/// without --force, and no partial file is ever left under an output's name — so a batch scheduler can spread many
/// tiles over machines.
/// </summary>
static class ClassifyCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A GeoTIFF/JP2/VRT with the model's bands (RGB or 13 EuroSAT MS bands), or a folder / SAFE product of Sentinel-2 band files." };
        var model = new Option<FileInfo>("--model") { Description = "A model file written by train (any architecture; it carries bands and normalisation), or bare SceneCnn weights (.safetensors/.pth state dict) for the input's band count.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder.", Required = true };
        var mode = new Option<ClassificationMode?>("--mode") { Description = "dense (the convolutional part once per block, the head at every window: exact for unpadded networks such as SceneCnn, an approximation for padded ones such as ResNet18, whose agreement with naive windows is printed) or naive (the original: every window on its own). Default: dense where it is exact, naive otherwise." };
        var stride = new Option<int?>("--stride") { Description = $"Pixels between classified window centres; class probabilities are interpolated bilinearly between them (1 = every pixel's own window). Default: 1 in dense mode, {SceneClassifierOptions.NaiveDefaultStride} in naive mode." };
        var radiometry = new Option<SceneProduct?>("--radiometry") { Description = "What the input's values are: EuroSat (already in the model's units), TciL1C, TciL2A, L1C, L2A (band files; add-offsets from the product's metadata). Default: detected from the name and data type." };
        var uncertainBelow = new Option<double>("--uncertain-below") { Description = $"Mark pixels whose class probability is below this as Uncertain (value {(byte)MapMask.Uncertain}); 0 marks none.", DefaultValueFactory = _ => SceneClassifierOptions.DefaultUncertainBelow };
        var noCloudTest = new Option<bool>("--no-cloud-test") { Description = "Skip the bright-and-white cloud test (clouds are then classified as if they were land)." };
        var noWaterTest = new Option<bool>("--no-water-test") { Description = "Skip the water test (where the input has near infrared B08 beside green B03, water classes only where green is above it)." };
        var bands = new Option<int?>("--bands") { Description = "Bands the model takes (3 or 13); by default the input file's count, 13 for folders." };
        var blockSize = new Option<int>("--block-size") { Description = "Pixels per side of the blocks processed at once (memory grows with its square).", DefaultValueFactory = _ => 512 };
        var batchSize = new Option<int>("--batch-size") { Description = "Windows per forward pass (naive mode).", DefaultValueFactory = _ => 256 };
        var precision = PrecisionOption.Create();
        var threads = new Option<int>("--threads") { Description = "CPU threads for torch.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var probabilities = new Option<bool>("--probabilities") { Description = "Also write every class's probability (one band per class)." };
        var noData = new Option<double?>("--nodata") { Description = "Input value meaning no data, overriding the file's." };
        var device = DeviceOption.Create();
        var force = new Option<bool>("--force") { Description = "Classify again even when the outputs exist and were made from the same input, model and options; replace another input's outputs of the same name." };
        var command = new Command("classify", "Classify a Sentinel-2 scene into a land-use map: class GeoTIFF (colour table), probability GeoTIFF, legend, preview.")
        {
            input, model, output, mode, stride, bands, blockSize, batchSize, threads, precision, probabilities, noData, radiometry, uncertainBelow, noCloudTest, noWaterTest, force, device,
        };
        command.SetAction(parse => CommandErrors.Run("classify", () =>
        {
            var path = parse.GetValue(input)!;
            if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder.", path);
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1 || threadCount > MaxThreads)
                throw new UserErrorException($"--threads {threadCount}: give 1 to {MaxThreads} (this machine has {Environment.ProcessorCount} processors).");
            if (parse.GetValue(stride) is < 1 and var badStride) throw new UserErrorException($"--stride {badStride}: give at least 1 pixel.");
            if (parse.GetValue(blockSize) is var block and (< 1 or > MaxBlockSize)) throw new UserErrorException($"--block-size {block}: give 1 to {MaxBlockSize} pixels.");
            if (parse.GetValue(batchSize) is var windows and (< 1 or > MaxBatchSize)) throw new UserErrorException($"--batch-size {windows}: give 1 to {MaxBatchSize} windows.");
            var outFolder = parse.GetValue(output)!.FullName;
            var outputs = SceneOutputPaths.For(outFolder, path, parse.GetValue(probabilities));
            TorchRuntime.EnsureLoaded();
            var computeDevice = DeviceOption.Resolve(parse, device);
            torch.set_num_threads(threadCount);
            var modelPath = parse.GetValue(model)!.FullName;
            var description = ModelFile.HasDescription(modelPath) ? ModelFile.ReadDescription(modelPath) : null;
            int bandCount = description?.Bands.Count ?? parse.GetValue(bands) ?? (Directory.Exists(path) ? SentinelBands.Count : BandCountOf(path));
            if (description is not null && parse.GetValue(bands) is { } asked && asked != bandCount)
                throw new UserErrorException($"--bands {asked}: {modelPath} reads {bandCount} bands ({string.Join(", ", description.Bands)}).");
            using var scene = SceneInput.Open(path, bandCount);
            // The network is built now (its shape decides the defaults) but its weights are read only when there is work to do.
            var network = description?.Build() ?? new SceneCnn(EuroSatClasses.Names.Count, bandCount);
            var windowModel = WindowModel.For(network, description?.PatchSize ?? EuroSatDataset.PatchSize);
            var product = parse.GetValue(radiometry) is { } given ? SceneRadiometry.For(given, scene.BandNames,
                given is SceneProduct.L1C or SceneProduct.L2A ? SceneRadiometry.ProductAddOffsets(path, given, scene.BandNames) : null) : scene.Radiometry;
            double uncertain = parse.GetValue(uncertainBelow);
            if (!(uncertain >= 0 && uncertain <= 1)) throw new UserErrorException($"--uncertain-below {uncertain}: give a probability in 0–1.");
            var defaults = SceneClassifierOptions.For(windowModel, description?.Preprocessing ?? new Preprocessing(ChannelNormalization.OriginalForBands(bandCount)), product, description?.Classes);
            var chosenMode = parse.GetValue(mode) ?? defaults.Mode;
            var options = defaults with
            {
                Mode = chosenMode,
                Stride = parse.GetValue(stride) ?? SceneClassifierOptions.DefaultStride(chosenMode),
                BlockSize = parse.GetValue(blockSize),
                BatchSize = parse.GetValue(batchSize),
                NoData = parse.GetValue(noData),
                KeepAllProbabilities = parse.GetValue(probabilities),
                UncertainBelow = uncertain > 0 ? uncertain : null,
                Clouds = parse.GetValue(noCloudTest) ? null : defaults.Clouds,
                Water = parse.GetValue(noWaterTest) || scene.WaterBands is null ? null : defaults.Water,
                Device = computeDevice,
                Precision = PrecisionOption.Resolve(parse, precision, "classify"),
            };
            var request = SceneRunRecord.For(path, modelPath, new Dictionary<string, string>
            {
                ["mode"] = chosenMode.ToString(), ["stride"] = $"{options.Stride}", ["bands"] = $"{bandCount}",
                ["radiometry"] = $"{product.Product} gain {string.Join(" ", product.Gain.Select(g => g.ToString("R", CultureInfo.InvariantCulture)))} offset {string.Join(" ", product.Offset.Select(o => o.ToString("R", CultureInfo.InvariantCulture)))}",
                ["uncertain below"] = uncertain.ToString("R", CultureInfo.InvariantCulture),
                ["cloud test"] = options.Clouds?.ToString() ?? "none",
                ["water test"] = options.Water?.ToString() ?? "none",
                ["scene classification"] = scene.SceneClassificationBand is null ? "none" : "SCL",
                ["nodata"] = parse.GetValue(noData)?.ToString("R", CultureInfo.InvariantCulture) ?? "from the file",
                ["probabilities"] = parse.GetValue(probabilities) ? "all classes" : "largest",
                ["precision"] = options.Precision.ToString(),
            });
            // Checked before anything on disk is touched: the classifier refuses options that do not suit the model.
            _ = new SceneClassifier(windowModel, options);
            // One run per output set: a second one for the same file names waits for no one and is refused, naming the first.
            using var outputLock = OutputLock.Acquire(Path.Combine(outFolder, Path.GetFileNameWithoutExtension(outputs.Run)[..^"_run".Length] + ".lock"),
                $"classify of {Path.GetFullPath(path)}");
            foreach (var stale in TemporaryFiles.RemoveStale(outFolder)) Console.WriteLine($"classify: removed {stale}, left by a run that was stopped");
            if (!parse.GetValue(force) && SceneRunRecord.Read(outputs.Run) is { } done)
            {
                var differences = done.DifferencesFrom(request);
                if (differences.Count == 0 && outputs.AllExist)
                {
                    Console.WriteLine($"classify: {path}: already done with the same input, model and options ({outputs.Classes}); skipped");
                    return 0;
                }
                if (differences.Contains(SceneRunRecord.InputKey))
                    throw new UserErrorException($"{outputs.Classes} is the map of {done.Settings[SceneRunRecord.InputKey]}, not of {Path.GetFullPath(path)}; " +
                        "give another --out, or --force to replace it.");
                if (differences.Count > 0) Console.WriteLine($"classify: {path}: {string.Join(", ", differences)} changed since {outputs.Run}; classifying again");
            }
            Console.WriteLine($"classify: {chosenMode.ToString().ToLowerInvariant()} mode, stride {options.Stride}{(options.Precision == ComputePrecision.BFloat16 ? ", in bfloat16" : "")}; input read as {product.Product}" +
                (product.IsIdentity
                    ? product.Product == SceneProduct.EuroSat ? "" : $", fed unconverted (--radiometry {product.Product} converts it to EuroSAT's units)"
                    : $" (to model units: × {string.Join(" ", product.Gain.Select(g => g.ToString("0.###", CultureInfo.InvariantCulture)))}, + {string.Join(" ", product.Offset.Select(o => o.ToString("0.#", CultureInfo.InvariantCulture)))})") +
                (scene.SceneClassificationBand is null ? $"; clouds by {(options.Clouds is null ? "nothing" : "the bright-and-white test")}" : "; clouds from the product's SCL") +
                (options.Water is null ? "" : "; water only where green is above near infrared (B03 > B08)"));
            network.LoadWeights(modelPath);
            // The maps and their run record are published together, only once all are written: a failure keeps the previous set.
            var map = SceneMap.WriteRecorded(scene, windowModel, options, outputs, request, progress: new ConsoleProgress());
            if (map.DenseAgreement is { } agreement)
                Console.WriteLine($"classify: dense map agrees with naive windows at {agreement:P1} of {map.DenseAgreementSamples} sampled centres");
            Console.WriteLine($"classify: {path}: {map.Width}×{map.Height} px in {map.Elapsed.TotalSeconds:0.0} s " +
                $"({map.PixelsPerSecond:0} px/s) → {outputs.Classes}");
            return 0;
        }));
        return command;
    }

    static int BandCountOf(string path)
    {
        using var raster = GdalRaster.Open(path);
        return raster.BandCount;
    }

    /// <summary>The largest <c>--block-size</c>: a block of 4096² pixels of 13 bands already takes close to a gigabyte as floats.</summary>
    const int MaxBlockSize = 4096;

    /// <summary>The largest <c>--batch-size</c>: 4096 windows of 13 × 64 × 64 floats are 870 MB.</summary>
    const int MaxBatchSize = 4096;

    /// <summary>The most torch threads <c>--threads</c> accepts: more than a few per processor only adds contention.</summary>
    static int MaxThreads => 4 * Environment.ProcessorCount;
}
