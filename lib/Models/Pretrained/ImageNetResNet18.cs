using System.Reflection;
using System.Security.Cryptography;
using CnnSentinel.Datasets;
using CnnSentinel.Runtime;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models.Pretrained;

/// <summary>
/// The ImageNet-trained ResNet18 that ships, as ONNX, in the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (a dependency of this library, so it is on disk wherever the
/// library was restored): imported once into <see cref="ResNet.ResNet18MlNet"/> with torchvision's names,
/// cached, and loaded offline.
/// </summary>
/// <remarks>
/// <para>Architecture: basic-block ResNet with blocks 2-2-2-3 (layer4 has three blocks, unlike torchvision's
/// ResNet18), BN epsilon 1e-5, 512 pooled features; the ONNX file has no classifier, so <c>fc</c> is always new.</para>
/// <para>Preprocessing the network was trained with (ResNetPreprocess.onnx): RGB in 0…255, channels reordered
/// to BGR, a per-pixel mean image subtracted; no scaling, no standard deviation. The import folds the BGR
/// reordering into <c>conv1</c>, so the loaded model reads <b>RGB</b>. The mean cannot be folded into <c>conv1</c>
/// (that would be wrong at the zero-padded borders), so <see cref="Load"/> sets it as the model's
/// <see cref="ImageClassifier.InputNormalization"/>: the model takes RGB in 0…255, as in EuroSAT's JPEGs, and
/// subtracts the per-channel mean (R 123.2, G 115.9, B 103.1) itself. That mean stands in for the 224 × 224 mean
/// image, which fits no other size; for 224 × 224 inputs <see cref="MeanImage"/> gives the exact one.</para>
/// <para>Padding: the export uses CNTK's asymmetric "same" padding, identical to torchvision's at even input
/// sizes (64, 224); at odd sizes the border pixels differ slightly.</para>
/// </remarks>
internal static class ImageNetResNet18
{
    /// <summary>The NuGet package that ships the network.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version this import is written and tested against.</summary>
    public const string PackageVersion = "0.23.1";

    /// <summary>The network, relative to the package's <c>tools/DnnImageModels</c> folder.</summary>
    public const string NetworkFile = "ResNet18Onnx/ResNet18.onnx";

    /// <summary>The preprocessing model (holds the mean image), relative to <c>tools/DnnImageModels</c>.</summary>
    public const string PreprocessingFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>Bumped when the conversion changes, so that older cached conversions are not reused.</summary>
    const int ConversionVersion = 1;

    /// <summary>
    /// The pretrained network with a new, randomly initialised <c>fc</c> for <paramref name="classes"/> classes
    /// (0: no <c>fc</c>, the model returns the 512 pooled features).
    /// </summary>
    /// <param name="classes">Output logits, or 0 for features.</param>
    /// <param name="normalizeInput">True: the model reads RGB in 0…255 and subtracts <see cref="ChannelMean"/> itself
    /// (<see cref="Normalization"/>). False: it reads inputs already prepared (RGB minus the mean).</param>
    /// <param name="onnxPath">The ONNX network; found in the NuGet package folder when null (<see cref="Locate"/>).</param>
    /// <param name="cacheRoot">Where converted weights are kept; <see cref="CacheDirectory.Root"/> when null.</param>
    /// <exception cref="FileNotFoundException">The ONNX file cannot be found; the message lists where it was looked for.</exception>
    /// <exception cref="InvalidDataException">The ONNX file is not the expected network; the message says what differs.</exception>
    public static ResNet Load(int classes = EuroSatClasses.Count, bool normalizeInput = true, string? onnxPath = null, string? cacheRoot = null)
    {
        var weights = ConvertedWeights(onnxPath ?? Locate(NetworkFile), cacheRoot);
        var model = ResNet.ResNet18MlNet(classes);
        var comparison = model.LoadWeights(weights, strict: false);
        if (comparison.Unexpected.Count > 0 || comparison.Mismatched.Count > 0 || comparison.Missing.Any(k => !k.StartsWith("fc.", StringComparison.Ordinal)))
            throw new InvalidDataException($"{weights} (converted from the ONNX network) does not fit {model.GetName()}: {comparison} Delete it to convert again.");
        if (normalizeInput) model.SetInputNormalization(new InputNormalization(Normalization()));
        return model;
    }

    /// <summary>The per-channel mean to subtract, in RGB order, from the preprocessing model's mean image.</summary>
    public static IReadOnlyList<float> ChannelMean(string? preprocessingPath = null)
    {
        using var scope = NewDisposeScope();
        var mean = MeanImage(preprocessingPath).mean([1L, 2L]);
        return mean.data<float>().ToArray();
    }

    /// <summary>The standardisation the network expects of RGB 0…255 input: subtracts <see cref="ChannelMean"/>, divides by 1.</summary>
    public static ChannelNormalization Normalization(string? preprocessingPath = null) =>
        new([.. ChannelMean(preprocessingPath).Select(m => (double)m)], [1, 1, 1]);

    /// <summary>The 3 × 224 × 224 mean image in RGB order (the network was trained on inputs minus this image).</summary>
    public static Tensor MeanImage(string? preprocessingPath = null)
    {
        var path = preprocessingPath ?? Locate(PreprocessingFile);
        var tensor = OnnxReader.FloatInitializers(OnnxReader.Read(path)).Values.SingleOrDefault(t => t.Dims is [1, 3, _, _])
            ?? throw new InvalidDataException($"{path} holds no 1 × 3 × H × W mean image.");
        using var scope = NewDisposeScope();
        return torch.tensor(OnnxReader.Values(tensor, path), [.. tensor.Dims]).squeeze(0).flip(0).MoveToOuterDisposeScope(); // stored BGR
    }

    /// <summary>
    /// The path of a file of the package (<see cref="NetworkFile"/>, <see cref="PreprocessingFile"/>): next to the
    /// application (<c>DnnImageModels/</c>, where the package's build props copy it), else in a NuGet global
    /// packages folder: <c>NUGET_PACKAGES</c>, <c>~/.nuget/packages</c>, the folder this library was loaded from
    /// as a package, the one it was built with.
    /// </summary>
    /// <exception cref="FileNotFoundException">None of these holds the file; the message lists them.</exception>
    public static string Locate(string relativePath)
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "DnnImageModels", relativePath) };
        candidates.AddRange(PackageRoots().Distinct().Select(root =>
            Path.Combine(root, PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels", relativePath)));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"{relativePath} of the NuGet package {PackageId} {PackageVersion} was not found. Restore the library's packages " +
                $"(dotnet restore) or pass the file's path. Looked in:\n  {string.Join("\n  ", candidates)}", relativePath);
    }

    static IEnumerable<string> PackageRoots()
    {
        if (EnvironmentSettings.NuGetPackages is { } configured) yield return configured;
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // Loaded as a package: <root>/cnnsentinel.lib/<version>/lib/<tfm>/CnnSentinel.Lib.dll
        var assembly = typeof(ImageNetResNet18).Assembly;
        if (assembly.Location.Length > 0 && Directory.GetParent(assembly.Location)?.Parent?.Parent?.Parent is { } root) yield return root.FullName;
        var built = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        if (!string.IsNullOrEmpty(built)) yield return built;
    }

    /// <summary>The converted weights (safetensors) for <paramref name="onnxPath"/>, converting once per file content.</summary>
    static string ConvertedWeights(string onnxPath, string? cacheRoot)
    {
        string key;
        using (var stream = File.OpenRead(onnxPath))
            key = Convert.ToHexString(SHA256.HashData(stream))[..16].ToLowerInvariant();
        var target = Path.Combine(cacheRoot ?? CacheDirectory.Root, "models", $"resnet18-mlnet-{key}-v{ConversionVersion}.safetensors");
        if (File.Exists(target)) return target;
        using var model = ResNet.ResNet18MlNet(classes: 0);
        OnnxResNetImport.Import(OnnxReader.Read(onnxPath), model, onnxPath);
        StateDictFile.Save(model, target); // atomic: a concurrent first load sees no file or the whole one
        return target;
    }
}
