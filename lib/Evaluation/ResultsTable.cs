using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnSentinel.IO;
using CnnSentinel.Models;

namespace CnnSentinel.Evaluation;

/// <summary>
/// The README's table of full-data results, generated from the model descriptions that training runs wrote (the
/// <c>.description.json</c> beside each model file, collected in <c>data/results/</c>), so that no figure in it is typed by hand.
/// </summary>
public static class ResultsTable
{
    /// <summary>The file-name ending of a model description written beside its model file.</summary>
    public const string DescriptionExtension = ".description.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Writes <paramref name="description"/> as indented JSON (atomically), as <see cref="Read"/> reads it.</summary>
    public static void WriteDescription(ModelDescription description, string path) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(description, Json) + "\n");

    /// <summary>The descriptions in the <c>*.description.json</c> files of <paramref name="folder"/>, by run name (the file name without that ending).</summary>
    /// <exception cref="InvalidDataException">A file is not a model description; the message names it.</exception>
    public static IReadOnlyList<(string Name, ModelDescription Description)> Read(string folder) =>
        Directory.GetFiles(folder, "*" + DescriptionExtension).Order(StringComparer.Ordinal).Select(path =>
        {
            try
            {
                var description = ModelDescription.FromJson(File.ReadAllText(path));
                if (description?.Training is null) throw new InvalidDataException("no training record");
                return (Path.GetFileName(path)[..^DescriptionExtension.Length], description);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
            {
                throw new InvalidDataException($"{path} is not a model description written by train ({e.Message}).", e);
            }
        }).ToList();

    /// <summary>The runs of <paramref name="folder"/> as rows, e.g. to show beside a notebook's own result (a notebook displays them as a table).</summary>
    /// <param name="folder">A folder of model descriptions; <c>data/results</c> of the checkout when null.</param>
    /// <param name="bands">Only runs on this many bands (3: RGB, 13: multispectral); all when null.</param>
    public static IReadOnlyList<ResultRow> Rows(string? folder = null, int? bands = null) =>
        Read(folder ?? Path.Combine(ProjectPaths.Root, "data", "results"))
            .Where(r => bands is null || r.Description.Bands.Count == bands)
            .Select(r => ResultRow.Of(r.Name, r.Description)).ToList();

    /// <summary>The Markdown table of <paramref name="runs"/>: data, recipe, accuracy and kappa, images seen, wall time.</summary>
    public static string Markdown(IEnumerable<(string Name, ModelDescription Description)> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("| run | data (training / validation images) | recipe | validation accuracy | 95 % interval | kappa | images seen | training time |");
        md.AppendLine("| --- | --- | --- | ---: | :---: | ---: | ---: | ---: |");
        foreach (var (name, d) in runs)
        {
            var t = d.Training!;
            var recipe = ResultRow.RecipeOf(d);
            md.AppendLine(string.Create(inv,
                $"| `{name}` | {t.Data.Folder}, {d.Bands.Count} bands ({t.Data.TrainingImages:N0} / {t.Data.ValidationImages:N0}) | {recipe} | " +
                $"**{t.Validation.OverallAccuracy:0.0000}**{(t.Validation.TestTimeAugmentation ? " (8-view TTA)" : "")} | {Interval(t.Validation)} | {t.Validation.Kappa:0.0000} | " +
                $"{t.ImagesSeen:N0} | {t.Seconds / 60:0.0} min |"));
        }
        return md.ToString();
    }

    /// <summary>
    /// The Wilson score interval (95 %) of an accuracy measured on <see cref="ValidationFigures.Images"/> images: how far
    /// the figure could move on another draw of as many images. Wide for small validation sets: runs whose intervals
    /// overlap are not ranked.
    /// </summary>
    public static (double Low, double High) WilsonInterval(double accuracy, int images, double z = 1.959964)
    {
        if (images <= 0) return (double.NaN, double.NaN);
        double n = images, z2 = z * z, centre = (accuracy + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.Sqrt(accuracy * (1 - accuracy) / n + z2 / (4 * n * n));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    static string Interval(ValidationFigures figures)
    {
        var (low, high) = WilsonInterval(figures.OverallAccuracy, figures.Images);
        return string.Create(CultureInfo.InvariantCulture, $"{low:0.000}–{high:0.000}");
    }
}

/// <summary>One training run's headline figures.</summary>
/// <param name="Run">The run's name.</param>
/// <param name="Data">Data folder, bands, training / validation images.</param>
/// <param name="Recipe">How it was trained.</param>
/// <param name="Accuracy">Validation overall accuracy.</param>
/// <param name="Kappa">Validation kappa.</param>
/// <param name="ImagesSeen">Training images seen.</param>
/// <param name="Minutes">Training wall time.</param>
public sealed record ResultRow(string Run, string Data, string Recipe, double Accuracy, double Kappa, long ImagesSeen, double Minutes)
{
    /// <summary>The row of a saved model's description.</summary>
    public static ResultRow Of(string run, ModelDescription description)
    {
        var t = description.Training ?? throw new InvalidDataException($"{run}: the description has no training record.");
        return new ResultRow(run, $"{t.Data.Folder}, {description.Bands.Count} bands, {t.Data.TrainingImages} / {t.Data.ValidationImages}",
            RecipeOf(description), t.Validation.OverallAccuracy, t.Validation.Kappa, t.ImagesSeen, t.Seconds / 60);
    }

    /// <summary>
    /// The recipe column of a run: the recipe's name, the band adaptation, bfloat16 steps, and the model it continued (whose
    /// epochs and time are not in this run's).
    /// </summary>
    internal static string RecipeOf(ModelDescription description) =>
        description.Training!.Recipe.Split(':')[0] + (description.Adaptation is { } a ? $", {a}" : "")
        + (description.Training.StepsInBFloat16 ? ", bfloat16 steps" : "")
        + (description.Training.ContinuedFromFile is { } start ? $", continuing `{Path.GetFileNameWithoutExtension(start)}`" : "");
}
