using System.Globalization;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Notebooks;

namespace CnnSentinel.Interpretation;

/// <summary>
/// Validation images as captioned picture grids: those a model got wrong while most sure of itself, and, to compare,
/// ones it got right. All use one fixed display scaling (<see cref="SentinelBands.ToDisplay"/>), so colours can be
/// compared from image to image; multispectral patches show B04/B03/B02.
/// </summary>
public static class ErrorGallery
{
    /// <summary>
    /// Up to <paramref name="count"/> most confidently wrong predictions of <paramref name="report"/>, read from
    /// <paramref name="dataset"/> by their keys (relative paths), captioned with the true class, "→ predicted" and the
    /// confidence, one per line (so that the longest class names fit).
    /// </summary>
    public static ImageBatch MostConfidentlyWrong(EvaluationReport report, EuroSatDataset dataset, int count = 16, int columns = 8)
    {
        var wrong = report.MostConfidentlyWrong(count);
        if (wrong.Count == 0) throw new InvalidOperationException("The model got every validation image right: nothing to show.");
        return Grid(wrong, report, dataset, columns, p => string.Create(CultureInfo.InvariantCulture,
            $"{report.Classes[p.Truth]}\n→ {report.Classes[p.Predicted]}\n({p.Confidence:0.00})"));
    }

    /// <summary>
    /// Correct predictions of <paramref name="report"/>, up to <paramref name="perClass"/> per class (the first in file
    /// order), captioned "class (confidence)": what each class looks like when the model gets it right.
    /// </summary>
    public static ImageBatch Correct(EvaluationReport report, EuroSatDataset dataset, int perClass = 1, int columns = 10)
    {
        var right = report.Predictions.Where(p => p.IsCorrect).GroupBy(p => p.Truth).OrderBy(g => g.Key)
            .SelectMany(g => g.OrderBy(p => p.Key, StringComparer.Ordinal).Take(perClass)).ToList();
        if (right.Count == 0) throw new InvalidOperationException("The model got no validation image right: nothing to show.");
        return Grid(right, report, dataset, columns, p => string.Create(CultureInfo.InvariantCulture,
            $"{report.Classes[p.Truth]}\n({p.Confidence:0.00})"));
    }

    static ImageBatch Grid(IReadOnlyList<Prediction> predictions, EvaluationReport report, EuroSatDataset dataset, int columns, Func<Prediction, string> caption)
    {
        var byPath = dataset.Samples.ToDictionary(s => s.RelativePath);
        var samples = predictions.Select(p => p.Key is { } key && byPath.TryGetValue(key, out var sample)
            ? sample
            : throw new ArgumentException($"Prediction key '{p.Key}' is not a file of {dataset.Root}.")).ToList();
        return new ImageBatch(SentinelBands.ToDisplay(dataset.ReadImages(samples)), predictions.Select(caption).ToList(), columns, Zoom: 2);
    }
}
