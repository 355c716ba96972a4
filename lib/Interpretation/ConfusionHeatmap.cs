using CnnSentinel.Evaluation;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace CnnSentinel.Interpretation;

/// <summary>
/// A confusion matrix as a Plotly heatmap with class names: rows are true classes, columns predictions, each cell
/// showing its image count; the colour is the row-normalised share (per-class recall on the diagonal), as the title says.
/// </summary>
public static class ConfusionHeatmap
{
    /// <summary>The heatmap; colours row-normalised (each row sums to 1) unless <paramref name="normalise"/> is false; every cell shows its count.</summary>
    public static GenericChart Of(ConfusionMatrix confusion, bool normalise = true)
    {
        int n = confusion.Classes.Count;
        var rows = Enumerable.Range(0, n).Select(r =>
        {
            double total = Enumerable.Range(0, n).Sum(c => (double)confusion[r, c]);
            return Enumerable.Range(0, n).Select(c => normalise ? (total == 0 ? 0 : confusion[r, c] / total) : confusion[r, c]).ToArray();
        }).ToArray();
        var counts = Enumerable.Range(0, n).Select(r => Enumerable.Range(0, n).Select(c => confusion[r, c].ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        return Chart.Heatmap<double, string, string, string>(
                zData: rows, X: confusion.Classes.ToArray(), Y: confusion.Classes.ToArray(), ReverseYAxis: true)
            .WithTraceValue("text", counts)
            .WithTraceValue("texttemplate", "%{text}")
            .WithXAxisStyle<double, double, string>(TitleText: "predicted class")
            .WithYAxisStyle<double, double, string>(TitleText: "true class")
            .WithTitleText(normalise
                ? "Confusion matrix: image counts; colour = share of the true class's images (each row sums to 1)"
                : "Confusion matrix: image counts");
    }
}
