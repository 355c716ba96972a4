using System.Globalization;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Notebooks;

namespace CnnSentinel.Interpretation;

/// <summary>The validation images a model got wrong while being most sure of itself, as a captioned picture grid.</summary>
public static class ErrorGallery
{
    /// <summary>
    /// Up to <paramref name="count"/> most confidently wrong predictions of <paramref name="report"/>, read from
    /// <paramref name="dataset"/> by their keys (relative paths), captioned "true → predicted (confidence)".
    /// Multispectral patches show B04/B03/B02.
    /// </summary>
    public static ImageBatch MostConfidentlyWrong(EvaluationReport report, EuroSatDataset dataset, int count = 16, int columns = 8)
    {
        var wrong = report.MostConfidentlyWrong(count);
        if (wrong.Count == 0) throw new InvalidOperationException("The model got every validation image right: nothing to show.");
        var byPath = dataset.Samples.ToDictionary(s => s.RelativePath);
        var samples = wrong.Select(p => p.Key is { } key && byPath.TryGetValue(key, out var sample)
            ? sample
            : throw new ArgumentException($"Prediction key '{p.Key}' is not a file of {dataset.Root}.")).ToList();
        var captions = wrong.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{report.Classes[p.Truth]} → {report.Classes[p.Predicted]} ({p.Confidence:0.00})")).ToList();
        return new ImageBatch(dataset.ReadImages(samples), captions, columns, DisplayBands: dataset.BandCount == 3 ? null : [3, 2, 1], Zoom: 2);
    }
}
