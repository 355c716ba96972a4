using System.Globalization;
using CnnSentinel.Datasets;
using CnnSentinel.IO;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// What <c>cnnsentinel classify</c> does, as one request a notebook or a bench can run too: a scene or tile to its map
/// files, idempotently. Outputs made from the same input, model and options are skipped (their run record,
/// <c>&lt;stem&gt;_run.json</c>, says so), another input's outputs of the same name are not overwritten without
/// <see cref="Force"/>, and no partial file is ever left under an output's name, so a batch scheduler can spread many
/// tiles over machines.
/// </summary>
/// <example>
/// <code>
/// var map = new SceneJob { Input = "data/scene/tile.tif", Model = "data/models/model.safetensors", OutputFolder = "out/maps" }.Run();
/// </code>
/// </example>
public sealed record SceneJob
{
    /// <summary>
    /// The largest <see cref="BlockSize"/>: a block of 4096² pixels of 13 bands already takes close to a gigabyte as floats.
    /// </summary>
    public const int MaxBlockSize = 4096;

    /// <summary>The largest <see cref="BatchSize"/>: 4096 windows of 13 × 64 × 64 floats are 870 MB.</summary>
    public const int MaxBatchSize = 4096;

    /// <summary>A GeoTIFF/JP2/VRT with the model's bands, or a folder / SAFE product of Sentinel-2 band files.</summary>
    public required string Input { get; init; }

    /// <summary>A model file written by training, or bare <c>SceneCnn</c> weights (a state dict) for the input's band count.</summary>
    public required string Model { get; init; }

    /// <summary>The folder the map files go to.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Dense or naive; null: dense where it is exact (<see cref="WindowModel.DenseIsExact"/>), naive otherwise.</summary>
    public ClassificationMode? Mode { get; init; }

    /// <summary>Pixels between classified window centres; null: the mode's default (<see cref="SceneClassifierOptions.DefaultStride"/>).</summary>
    public int? Stride { get; init; }

    /// <summary>Bands the model takes (3 or 13) when the model file does not say; null: the input file's count, 13 for folders.</summary>
    public int? Bands { get; init; }

    /// <summary>Pixels per side of the blocks processed at once (memory grows with its square).</summary>
    public int BlockSize { get; init; } = 512;

    /// <summary>Windows per forward pass (naive mode).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Also write every class's probability (one band per class).</summary>
    public bool AllProbabilities { get; init; }

    /// <summary>Input value meaning no data, overriding the file's; null: the file's.</summary>
    public double? NoData { get; init; }

    /// <summary>What the input's values are; null: detected from the name and data type (<see cref="SceneInput.Radiometry"/>).</summary>
    public SceneProduct? Radiometry { get; init; }

    /// <summary>Pixels whose class probability is below this are marked <see cref="MapMask.Uncertain"/>; 0 marks none.</summary>
    public double UncertainBelow { get; init; } = SceneClassifierOptions.DefaultUncertainBelow;

    /// <summary>Adaptive mode: cells between four classified cells of one class at least this probable are interpolated (<see cref="SceneClassifierOptions.AdaptiveSettledAbove"/>); null: the default.</summary>
    public double? SettledAbove { get; init; }

    /// <summary>Mark bright-and-white pixels as clouds (where the input has no scene classification of its own).</summary>
    public bool CloudTest { get; init; } = true;

    /// <summary>Where the input has near infrared beside green: water classes only where green is above it (<see cref="Scenes.WaterTest"/>).</summary>
    public bool WaterTest { get; init; } = true;

    /// <summary>Classify again even when the outputs exist and were made from the same input, model and options; replace another input's outputs of the same name.</summary>
    public bool Force { get; init; }

    /// <summary>Where the model runs; the CPU when null.</summary>
    public Device? Device { get; init; }

    /// <summary>The number format the network computes in.</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Float32;

    /// <summary>Told after each block (e.g. a <c>ConsoleProgress</c>); none when null.</summary>
    public IProgress<SceneProgress>? Progress { get; init; }

    /// <summary>Where the job's lines go (settings, skips, agreement, speed); null: whatever <see cref="Console.Out"/> is at each line.</summary>
    public TextWriter? Log { get; init; }

    TextWriter Out => Log ?? Console.Out;

    /// <summary>The files the job writes (<see cref="SceneOutputPaths.For"/>).</summary>
    public SceneOutputPaths Outputs => SceneOutputPaths.For(Path.GetFullPath(OutputFolder), Input, AllProbabilities);

    /// <summary>
    /// Classifies the scene into its map files, with its run record, as one set; or, when the outputs are there and were
    /// made by the same request, says so and leaves them (unless <see cref="Force"/>).
    /// </summary>
    /// <returns>The map; null when it was already done.</returns>
    /// <exception cref="UserErrorException">A setting is out of range or does not suit the model or the scene, the outputs are another input's, or another job writes them.</exception>
    /// <exception cref="FileNotFoundException">The input is missing.</exception>
    public SceneMap? Run()
    {
        CheckSettings();
        var outputs = Outputs;
        var description = ModelFile.HasDescription(Model) ? ModelFile.ReadDescription(Model) : null;
        int bandCount = description?.Bands.Count ?? Bands ?? (Directory.Exists(Input) ? SentinelBands.Count : BandCountOf(Input));
        if (description is not null && Bands is { } asked && asked != bandCount)
            throw new UserErrorException($"--bands {asked}: {Path.GetFullPath(Model)} reads {bandCount} bands ({string.Join(", ", description.Bands)}).");
        using var scene = SceneInput.Open(Input, bandCount);
        // The network is built now (its shape decides the defaults) but its weights are read only when there is work to do.
        var network = description?.Build() ?? new SceneCnn(EuroSatClasses.Names.Count, bandCount);
        var windowModel = WindowModel.For(network, description?.PatchSize ?? EuroSatDataset.PatchSize);
        var options = OptionsFor(scene, windowModel, description, bandCount);
        var request = RecordOf(scene, options, bandCount);
        // Checked before anything on disk is touched: the classifier refuses options that do not suit the model.
        _ = new SceneClassifier(windowModel, options);
        // One run per output set: a second one for the same file names waits for no one and is refused, naming the first.
        var folder = Path.GetDirectoryName(outputs.Run)!;
        using var outputLock = OutputLock.Acquire(outputs.Run[..^"_run.json".Length] + ".lock", $"classify of {Path.GetFullPath(Input)}");
        foreach (var stale in TemporaryFiles.RemoveStale(folder)) Out.WriteLine($"classify: removed {stale}, left by a run that was stopped");
        if (!Force && IsDone(outputs, request)) return null;
        Out.WriteLine($"classify: {options.Mode.ToString().ToLowerInvariant()} mode, stride {options.Stride}{(options.Precision == ComputePrecision.BFloat16 ? ", in bfloat16" : "")}; " +
            $"input read as {InWords(options.Radiometry!)}" +
            (scene.SceneClassificationBand is null ? $"; clouds by {(options.Clouds is null ? "nothing" : "the bright-and-white test")}" : "; clouds from the product's SCL") +
            (options.Water is null ? "" : "; water only where green is above near infrared (B03 > B08)"));
        network.LoadWeights(Model);
        // The maps and their run record are published together, only once all are written: a failure keeps the previous set.
        var map = SceneMap.WriteRecorded(scene, windowModel, options, outputs, request, progress: Progress);
        if (map.ClassifiedCellShare is { } share)
            Out.WriteLine($"classify: adaptive: {share:P1} of the cells' windows classified, the others interpolated between confident neighbours of one class");
        if (map.NaiveAgreement is { } agreement)
            Out.WriteLine($"classify: {(options.Mode == ClassificationMode.Adaptive ? "the interpolated cells agree" : "dense map agrees")} with naive windows at {agreement:P1} of {map.NaiveAgreementSamples} sampled centres");
        Out.WriteLine($"classify: {Input}: {map.Width}×{map.Height} px in {map.Elapsed.TotalSeconds:0.0} s ({map.PixelsPerSecond:0} px/s) → {outputs.Classes}");
        return map;
    }

    void CheckSettings()
    {
        if (!File.Exists(Input) && !Directory.Exists(Input)) throw new FileNotFoundException($"{Input}: no such file or folder.", Input);
        if (Stride is < 1 and var badStride) throw new UserErrorException($"--stride {badStride}: give at least 1 pixel.");
        if (BlockSize is < 1 or > MaxBlockSize) throw new UserErrorException($"--block-size {BlockSize}: give 1 to {MaxBlockSize} pixels.");
        if (BatchSize is < 1 or > MaxBatchSize) throw new UserErrorException($"--batch-size {BatchSize}: give 1 to {MaxBatchSize} windows.");
    }

    /// <summary>The classifier's settings: the model's defaults (<see cref="SceneClassifierOptions.For"/>) with the job's over them.</summary>
    SceneClassifierOptions OptionsFor(SceneInput scene, WindowModel windowModel, ModelDescription? description, int bandCount)
    {
        var product = Radiometry is { } given ? SceneRadiometry.For(given, scene.BandNames,
            given is SceneProduct.L1C or SceneProduct.L2A ? SceneRadiometry.ProductAddOffsets(Input, given, scene.BandNames) : null) : scene.Radiometry;
        if (!(UncertainBelow >= 0 && UncertainBelow <= 1)) throw new UserErrorException($"--uncertain-below {UncertainBelow}: give a probability in 0–1.");
        if (SettledAbove is { } settled && !(settled is >= 0.5 and <= 1)) throw new UserErrorException($"--settled-above {settled}: give a probability in 0.5–1.");
        var defaults = SceneClassifierOptions.For(windowModel, description?.Preprocessing ?? new Preprocessing(ChannelNormalization.OriginalForBands(bandCount)), product, description?.Classes);
        var mode = Mode ?? defaults.Mode;
        return defaults with
        {
            Mode = mode, Stride = Stride ?? SceneClassifierOptions.DefaultStride(mode), BlockSize = BlockSize, BatchSize = BatchSize, NoData = NoData,
            KeepAllProbabilities = AllProbabilities, UncertainBelow = UncertainBelow > 0 ? UncertainBelow : null,
            Clouds = CloudTest ? defaults.Clouds : null, Water = WaterTest && scene.WaterBands is not null ? defaults.Water : null,
            Device = Device, Precision = Precision, AdaptiveSettledAbove = SettledAbove ?? defaults.AdaptiveSettledAbove,
        };
    }

    /// <summary>The run record of this request: the input, the model, and every setting that changes the map.</summary>
    SceneRunRecord RecordOf(SceneInput scene, SceneClassifierOptions options, int bandCount)
    {
        var product = options.Radiometry!;
        string Numbers(IEnumerable<float> values) => string.Join(" ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var settings = new Dictionary<string, string>
        {
            ["mode"] = options.Mode.ToString(), ["stride"] = $"{options.Stride}", ["bands"] = $"{bandCount}",
            ["radiometry"] = $"{product.Product} gain {Numbers(product.Gain)} offset {Numbers(product.Offset)}",
            ["uncertain below"] = UncertainBelow.ToString("R", CultureInfo.InvariantCulture),
            ["cloud test"] = options.Clouds?.ToString() ?? "none",
            ["water test"] = options.Water?.ToString() ?? "none",
            ["scene classification"] = scene.SceneClassificationBand is null ? "none" : "SCL",
            ["nodata"] = NoData?.ToString("R", CultureInfo.InvariantCulture) ?? "from the file",
            ["probabilities"] = AllProbabilities ? "all classes" : "largest",
            ["precision"] = options.Precision.ToString(),
        };
        if (options.Mode == ClassificationMode.Adaptive)
            settings["adaptive"] = string.Create(CultureInfo.InvariantCulture, $"coarsest {options.AdaptiveCoarsest} px, settled above {options.AdaptiveSettledAbove:R}");
        return SceneRunRecord.For(Input, Model, settings);
    }

    /// <summary>Whether the outputs exist and were made by <paramref name="request"/> (said so); refuses another input's outputs.</summary>
    bool IsDone(SceneOutputPaths outputs, SceneRunRecord request)
    {
        if (SceneRunRecord.Read(outputs.Run) is not { } done) return false;
        var differences = done.DifferencesFrom(request);
        if (differences.Count == 0 && outputs.AllExist)
        {
            Out.WriteLine($"classify: {Input}: already done with the same input, model and options ({outputs.Classes}); skipped");
            return true;
        }
        if (differences.Contains(SceneRunRecord.InputKey))
            throw new UserErrorException($"{outputs.Classes} is the map of {done.Settings[SceneRunRecord.InputKey]}, not of {Path.GetFullPath(Input)}; " +
                "give another --out, or --force to replace it.");
        if (differences.Count > 0) Out.WriteLine($"classify: {Input}: {string.Join(", ", differences)} changed since {outputs.Run}; classifying again");
        return false;
    }

    /// <summary>How the input is read, in words: its product, and how its values become the model's units.</summary>
    static string InWords(SceneRadiometry product) => product.Product +
        (product.IsIdentity
            ? product.Product == SceneProduct.EuroSat ? "" : $", fed unconverted (--radiometry {product.Product} converts it to EuroSAT's units)"
            : $" (to model units: × {string.Join(" ", product.Gain.Select(g => g.ToString("0.###", CultureInfo.InvariantCulture)))}, + {string.Join(" ", product.Offset.Select(o => o.ToString("0.#", CultureInfo.InvariantCulture)))})");

    static int BandCountOf(string path)
    {
        using var raster = GdalRaster.Open(path);
        return raster.BandCount;
    }
}
