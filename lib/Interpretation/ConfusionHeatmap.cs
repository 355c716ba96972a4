using CnnSentinel.Evaluation;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace CnnSentinel.Interpretation;

/// <summary>A confusion matrix as a Plotly heatmap with class names: rows are true classes, columns predictions.</summary>
public static class ConfusionHeatmap
{
    /// <summary>The heatmap; row-normalised (each row sums to 1, i.e. per-class recall on the diagonal) unless <paramref name="normalise"/> is false.</summary>
    public static GenericChart Of(ConfusionMatrix confusion, bool normalise = true)
    {
        int n = confusion.Classes.Count;
        var rows = Enumerable.Range(0, n).Select(r =>
        {
            double total = Enumerable.Range(0, n).Sum(c => (double)confusion[r, c]);
            return Enumerable.Range(0, n).Select(c => normalise ? (total == 0 ? 0 : confusion[r, c] / total) : confusion[r, c]).ToArray();
        }).ToArray();
        return Chart.Heatmap<double, string, string, string>(
                zData: rows, X: confusion.Classes.ToArray(), Y: confusion.Classes.ToArray(), ReverseYAxis: true)
            .WithXAxisStyle<double, double, string>(TitleText: "predicted class")
            .WithYAxisStyle<double, double, string>(TitleText: "true class");
    }
}
