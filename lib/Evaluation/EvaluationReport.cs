using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CnnSentinel.IO;

namespace CnnSentinel.Evaluation;

/// <summary>
/// The result of evaluating a classifier on labelled data: every prediction aligned with its sample,
/// the confusion matrix and the figures derived from it.
/// </summary>
public sealed class EvaluationReport
{
    /// <summary>Class names in class-index order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>One prediction per sample, in the order the data gave them.</summary>
    public IReadOnlyList<Prediction> Predictions { get; }

    /// <summary>Counts of (true, predicted) pairs.</summary>
    public ConfusionMatrix Confusion { get; }

    /// <summary>Builds the report from aligned predictions.</summary>
    public EvaluationReport(IReadOnlyList<string> classes, IReadOnlyList<Prediction> predictions)
    {
        Classes = classes;
        Predictions = predictions;
        Confusion = ConfusionMatrix.From(classes, predictions.Select(p => p.Truth), predictions.Select(p => p.Predicted));
    }

    /// <summary>The <paramref name="count"/> wrong predictions the model was most sure of.</summary>
    public IReadOnlyList<Prediction> MostConfidentlyWrong(int count) =>
        Predictions.Where(p => !p.IsCorrect).OrderByDescending(p => p.Confidence).Take(count).ToList();

    /// <summary>Per-class figures: precision, recall, F1 and support (samples of the class).</summary>
    public IReadOnlyList<ClassFigures> PerClass =>
        Classes.Select((name, c) => new ClassFigures(name, Confusion.Precision(c), Confusion.Recall(c), Confusion.F1(c),
            Predictions.Count(p => p.Truth == c))).ToList();

    /// <summary>Figures of one class.</summary>
    public sealed record ClassFigures(string Class, double Precision, double Recall, double F1, int Support);

    /// <summary>
    /// The report as plain text: per-class precision, recall, F1 and support, the confusion matrix (rows: truth,
    /// columns: predicted, in class order), and as the last line <c>overall accuracy 0.XXXX, kappa 0.XXXX on N images</c>.
    /// </summary>
    public string ToText()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        int width = Math.Max(5, Classes.Max(c => c.Length));
        text.AppendLine(string.Create(inv, $"{"class".PadRight(width)}  precision  recall      F1  support"));
        foreach (var f in PerClass)
            text.AppendLine(string.Create(inv, $"{f.Class.PadRight(width)}  {f.Precision,9:0.0000}  {f.Recall,6:0.0000}  {f.F1,6:0.0000}  {f.Support,7}"));
        text.AppendLine();
        text.AppendLine("confusion matrix (rows: true class, columns: predicted, same order as above)");
        for (int r = 0; r < Classes.Count; r++)
            text.AppendLine(Classes[r].PadRight(width) + " " + string.Join(" ", Enumerable.Range(0, Classes.Count).Select(c => Confusion[r, c].ToString(inv).PadLeft(5))));
        text.AppendLine();
        text.Append(string.Create(inv, $"overall accuracy {Confusion.OverallAccuracy:0.0000}, kappa {Confusion.Kappa:0.0000} on {Predictions.Count} images"));
        return text.ToString();
    }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN for a class never predicted
    };

    /// <summary>Reads a report written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a report; the message names it.</exception>
    public static EvaluationReport Load(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: empty file.");
            var classes = root["classes"]!.AsArray().Select(c => (string)c!).ToList();
            var predictions = root["predictions"]!.AsArray().Select(p => new Prediction((string?)p!["key"], (int)p["truth"]!, (int)p["predicted"]!,
                p["probabilities"]!.AsArray().Select(v => (float)v!).ToArray())).ToList();
            return new EvaluationReport(classes, predictions);
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not an evaluation report ({e.Message}).", e);
        }
    }

    /// <summary>Writes the report as JSON (figures, confusion matrix counts and row-normalised, predictions) atomically.</summary>
    public void Save(string path)
    {
        int n = Classes.Count;
        var counts = Enumerable.Range(0, n).Select(r => Enumerable.Range(0, n).Select(c => Confusion[r, c]).ToArray()).ToArray();
        var normalised = counts.Select(row => row.Select(v => row.Sum() == 0 ? double.NaN : (double)v / row.Sum()).ToArray()).ToArray();
        var document = new
        {
            classes = Classes,
            samples = Predictions.Count,
            overallAccuracy = Confusion.OverallAccuracy,
            averageAccuracy = Confusion.AverageAccuracy,
            kappa = Confusion.Kappa,
            perClass = PerClass,
            confusion = counts,
            confusionRowNormalised = normalised,
            predictions = Predictions.Select(p => new { key = p.Key, truth = p.Truth, predicted = p.Predicted, confidence = p.Confidence, probabilities = p.Probabilities }),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(document, Json));
    }
}
