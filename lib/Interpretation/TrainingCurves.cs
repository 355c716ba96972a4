using CnnSentinel.Training;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace CnnSentinel.Interpretation;

/// <summary>Training curves as Plotly charts: one run's loss and accuracy, or several runs side by side.</summary>
public static class TrainingCurves
{
    /// <summary>
    /// One run's curves in one chart: accuracy (left axis) and loss (right axis, dotted) per epoch, training and
    /// validation, with a line where each later stage of a staged run (e.g. two-stage fine-tuning) begins.
    /// </summary>
    /// <param name="history">The epochs, numbered on across stages.</param>
    /// <param name="stageStarts">The first epoch of each stage after the first (e.g. stage 1's epoch count + 1).</param>
    public static GenericChart Of(IReadOnlyList<EpochRecord> history, params int[] stageStarts)
    {
        var epochs = history.Select(h => h.Epoch).ToArray();
        GenericChart Loss(IEnumerable<double> values, string name) =>
            Chart.Line<int, double, string>(x: epochs, y: values, Name: name, LineDash: StyleParam.DrawingStyle.Dot).WithTraceValue("yaxis", "y2");
        var chart = Chart.Combine([
            Chart.Line<int, double, string>(x: epochs, y: history.Select(h => h.TrainAccuracy), Name: "training accuracy"),
            Chart.Line<int, double, string>(x: epochs, y: history.Select(h => h.ValidationAccuracy), Name: "validation accuracy"),
            Loss(history.Select(h => h.TrainLoss), "training loss"),
            Loss(history.Select(h => h.ValidationLoss), "validation loss"),
        ])
            .WithEpochAxis(epochs.DefaultIfEmpty(1).Max())
            .WithYAxisStyle<double, double, string>(TitleText: "accuracy")
            .WithLayoutValue("yaxis2", new { title = new { text = "loss" }, overlaying = "y", side = "right", showgrid = false })
            .WithTitleText("Training curves (training: augmented batches as trained; validation: after each epoch)")
            .WithLegendBelow();
        if (stageStarts.Length > 0)
        {
            chart = chart
                .WithLayoutValue("shapes", stageStarts.Select(e => new { type = "line", x0 = e - 0.5, x1 = e - 0.5, y0 = 0, y1 = 1, yref = "paper", line = new { dash = "dash", color = "grey" } }).ToArray())
                .WithLayoutValue("annotations", stageStarts.Select((e, i) => new { x = e - 0.5, y = 1, yref = "paper", text = $"stage {i + 2}", showarrow = false, xanchor = "left", yanchor = "bottom" }).ToArray());
        }
        return chart;
    }

    /// <summary>Validation accuracy per epoch of several runs, to see which converges faster and further.</summary>
    public static GenericChart Compare(IReadOnlyDictionary<string, IReadOnlyList<EpochRecord>> runs) =>
        Chart.Combine(runs.Select(run => Chart.Line<int, double, string>(
                x: run.Value.Select(h => h.Epoch), y: run.Value.Select(h => h.ValidationAccuracy), Name: run.Key, ShowMarkers: true)))
            .WithEpochAxis(runs.Values.SelectMany(h => h).Select(h => h.Epoch).DefaultIfEmpty(1).Max())
            .WithYAxisStyle<double, double, string>(TitleText: "validation accuracy")
            .WithLegendBelow();
}
