using CnnSentinel.Evaluation;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace CnnSentinel.Interpretation;

/// <summary>Per-class F1 as grouped bars, for one run or several side by side.</summary>
public static class ClassScores
{
    /// <summary>F1 per class of each named run (classes with no samples show no bar).</summary>
    public static GenericChart F1(IReadOnlyDictionary<string, EvaluationReport> runs) =>
        Chart.Combine(runs.Select(run => Chart.Column<double, string, string>(
                values: run.Value.PerClass.Select(c => double.IsNaN(c.F1) ? 0 : c.F1),
                Keys: run.Value.PerClass.Select(c => c.Class).ToArray(), Name: run.Key)))
            .WithYAxisStyle<double, double, string>(TitleText: "F1")
            .WithTitleText("F1 per class (harmonic mean of precision and recall) on the validation split")
            .WithLegendAbove();

    /// <summary>F1 per class of one run.</summary>
    public static GenericChart F1(EvaluationReport report) => F1(new Dictionary<string, EvaluationReport> { ["F1"] = report });
}
