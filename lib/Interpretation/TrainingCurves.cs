using CnnSentinel.Training;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace CnnSentinel.Interpretation;

/// <summary>Training curves as Plotly charts: one run's loss and accuracy, or several runs side by side.</summary>
public static class TrainingCurves
{
    /// <summary>Loss (left) and accuracy (right) per epoch, training and validation, of one run.</summary>
    public static GenericChart Of(IReadOnlyList<EpochRecord> history)
    {
        var epochs = history.Select(h => h.Epoch).ToArray();
        var loss = Chart.Combine([
            Chart.Line<int, double, string>(x: epochs, y: history.Select(h => h.TrainLoss), Name: "training loss"),
            Chart.Line<int, double, string>(x: epochs, y: history.Select(h => h.ValidationLoss), Name: "validation loss"),
        ]);
        var accuracy = Chart.Combine([
            Chart.Line<int, double, string>(x: epochs, y: history.Select(h => h.TrainAccuracy), Name: "training accuracy"),
            Chart.Line<int, double, string>(x: epochs, y: history.Select(h => h.ValidationAccuracy), Name: "validation accuracy"),
        ]);
        return Chart.Grid([loss, accuracy], nRows: 1, nCols: 2)
            .WithXAxisStyle<double, double, string>(TitleText: "epoch");
    }

    /// <summary>Validation accuracy per epoch of several runs, to see which converges faster and further.</summary>
    public static GenericChart Compare(IReadOnlyDictionary<string, IReadOnlyList<EpochRecord>> runs) =>
        Chart.Combine(runs.Select(run => Chart.Line<int, double, string>(
                x: run.Value.Select(h => h.Epoch), y: run.Value.Select(h => h.ValidationAccuracy), Name: run.Key, ShowMarkers: true)))
            .WithXAxisStyle<double, double, string>(TitleText: "epoch")
            .WithYAxisStyle<double, double, string>(TitleText: "validation accuracy");
}
