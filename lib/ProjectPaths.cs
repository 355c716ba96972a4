
namespace CnnSentinel;

/// <summary>
/// Default locations inside a clone of the repository, so that notebooks and commands started from
/// any of its folders find the bundled data and write to the same output folder.
/// </summary>
public static class ProjectPaths
{
    /// <summary>
    /// The checkout: the nearest folder holding CnnSentinel.Lib.csproj at or above the running program (the command line built in
    /// <c>cli/bin/…</c>, the tests), so that a command started from any folder finds the shipped model, the web page's files and the
    /// results; else at or above the current directory (a notebook, whose library comes from the NuGet cache); else the current directory.
    /// </summary>
    public static string Root => CheckoutAbove(AppContext.BaseDirectory) ?? CheckoutAbove(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();

    static string? CheckoutAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CnnSentinel.Lib.csproj"))) return dir.FullName;
        return null;
    }

    /// <summary>
    /// The RGB model shipped with the project (<c>data/models/</c>) for patches and maps: the ImageNet ResNet18 fine-tuned on
    /// the full EuroSAT RGB by <c>cnnsentinel train --recipe fast</c> (the <c>resnet18-imagenet_rgb_fast</c> file beside it),
    /// then continued with patches among neighbours (<c>--init … --context</c>, <see cref="Transforms.ContextMosaic"/>) so
    /// that its maps are right near borders too, and with other processing levels, haze and gains (<c>--radiometric</c>,
    /// <see cref="Transforms.RadiometricJitter"/>) for real scenes; its card (<c>.md</c> beside it) has the commands, data and figures.
    /// </summary>
    public static string ShippedRgbModel => Path.Combine(Root, "data", "models", "resnet18-imagenet_rgb_fast-continued-context-radiometric.safetensors");

    /// <summary>
    /// Which bundled patches (<c>data/eurosat-rgb</c>) lie on each side of <see cref="ShippedRgbModel"/>'s split (a split
    /// manifest). The model was split on the full development copy, of which the sample is a part, so the sample alone
    /// cannot tell its sides; data/README.md says how the file was made from the full copy.
    /// </summary>
    public static string ShippedRgbModelSampleSplit => Path.ChangeExtension(ShippedRgbModel, ".sample-split.csv");

    /// <summary>
    /// The Sentinel-2 true-colour crop that ships with the project: <c>data/scene/*_TCI_10m.tif</c> under <see cref="Root"/>
    /// (see data/scene/README.md).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is not exactly one such file.</exception>
    public static string BundledScene
    {
        get
        {
            var folder = Path.Combine(Root, "data", "scene");
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*_TCI_10m.tif") : [];
            return files.Length == 1 ? files[0] : throw new FileNotFoundException($"The bundled scene (data/scene/*_TCI_10m.tif) was not found under {Root}.");
        }
    }

    /// <summary>
    /// The bundled EuroSAT sample with <paramref name="bands"/> bands: <c>data/eurosat-rgb</c> under <see cref="Root"/>
    /// for 3, <c>data/eurosat-ms</c> for Sentinel-2's 13.
    /// </summary>
    /// <exception cref="ArgumentException">No bundled sample has that many bands.</exception>
    public static string BundledPatches(int bands) => bands switch
    {
        3 => Path.Combine(Root, "data", "eurosat-rgb"),
        Datasets.SentinelBands.Count => Path.Combine(Root, "data", "eurosat-ms"),
        _ => throw new ArgumentException($"No bundled EuroSAT sample has {bands} bands (data/eurosat-rgb has 3, data/eurosat-ms {Datasets.SentinelBands.Count}).", nameof(bands)),
    };

    /// <summary>
    /// The project's full development copy of EuroSAT RGB beside the checkout (<c>../shared/data/eurosat-rgb</c>, the data the
    /// shipped model was trained on), or null where this machine has none.
    /// </summary>
    public static string? DevelopmentRgbData =>
        Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", "eurosat-rgb")) is var folder && Directory.Exists(folder) ? folder : null;

    /// <summary>
    /// Where the runs write everything they produce (executed notebooks' results, models, maps, the web page):
    /// <see cref="EnvironmentSettings.OutputVariable"/> when set, else <c>Root/out</c>.
    /// </summary>
    public static string Output => EnvironmentSettings.OutputDirectory is { } folder ? Path.GetFullPath(folder) : Path.Combine(Root, "out");
}
