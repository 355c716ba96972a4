using System.Text.Json.Nodes;
using CnnSentinel.Evaluation;
using CnnSentinel.Interpretation;
using CnnSentinel.Training;
using Plotly.NET;

namespace CnnSentinel.Tests.Interpretation;

public class InterpretationChartTests
{
    static JsonNode Figure(GenericChart chart) => JsonNode.Parse(GenericChart.toFigureJson(chart))!;

    static readonly string[] Classes = ["Forest", "River", "SeaLake"];

    static EvaluationReport Report() => new(Classes,
    [
        new("a", 0, 0, [1, 0, 0]), new("b", 0, 0, [1, 0, 0]), new("c", 0, 1, [0, 1, 0]), new("d", 0, 0, [1, 0, 0]),
        new("e", 1, 1, [0, 1, 0]), new("f", 1, 2, [0, 0, 1]),
    ]);

    [Fact]
    public void HeatmapRowsAreNormalisedAndNamed()
    {
        var trace = Figure(ConfusionHeatmap.Of(Report().Confusion))["data"]![0]!;
        Assert.Equal("heatmap", (string)trace["type"]!);
        Assert.Equal(Classes, trace["x"]!.AsArray().Select(v => (string)v!));
        Assert.Equal([0.75, 0.25, 0.0], trace["z"]![0]!.AsArray().Select(v => (double)v!));
        Assert.Equal([0.0, 0.5, 0.5], trace["z"]![1]!.AsArray().Select(v => (double)v!));
        Assert.Equal([0.0, 0.0, 0.0], trace["z"]![2]!.AsArray().Select(v => (double)v!)); // a class without samples
        // Every cell shows its image count, and the title says what the colour means.
        Assert.Equal(["3", "1", "0"], trace["text"]![0]!.AsArray().Select(v => (string)v!));
        Assert.Equal("%{text}", (string)trace["texttemplate"]!);
        Assert.Contains("each row sums to 1", (string)Figure(ConfusionHeatmap.Of(Report().Confusion))["layout"]!["title"]!["text"]!);
        var counts = Figure(ConfusionHeatmap.Of(Report().Confusion, normalise: false))["data"]![0]!;
        Assert.Equal([3.0, 1.0, 0.0], counts["z"]![0]!.AsArray().Select(v => (double)v!));
    }

    [Fact]
    public void F1BarsCarryEachRunsPerClassScores()
    {
        var report = Report();
        var figure = Figure(ClassScores.F1(new Dictionary<string, EvaluationReport> { ["rgb"] = report, ["ms"] = report }));
        var data = figure["data"]!.AsArray();
        Assert.Equal("h", (string)figure["layout"]!["legend"]!["orientation"]!); // above the plot, clear of the class names
        Assert.StartsWith("F1 per class", (string)figure["layout"]!["title"]!["text"]!);
        Assert.Equal(["rgb", "ms"], data.Select(t => (string)t!["name"]!));
        var forestF1 = 2 * 1.0 * 0.75 / (1.0 + 0.75);
        Assert.Equal(forestF1, (double)data[0]!["y"]![0]!, 12);
        Assert.Equal(Classes, data[0]!["x"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void CurvesShowLossAndAccuracyOfTrainingAndValidation()
    {
        var history = new List<EpochRecord>
        {
            new(1, 1.0, 0.5, 0.9, 0.55, 0.1, 1, 100),
            new(2, 0.5, 0.8, 0.6, 0.75, 0.1, 1, 100),
        };
        var figure = Figure(TrainingCurves.Of(history, stageStarts: 2));
        var data = figure["data"]!.AsArray();
        Assert.Equal(["training accuracy", "validation accuracy", "training loss", "validation loss"], data.Select(t => (string)t!["name"]!));
        Assert.Equal([0.9, 0.6], data[3]!["y"]!.AsArray().Select(v => (double)v!));
        // One chart: loss on a second axis at the right, the legend under the plot, a line where stage 2 begins.
        Assert.Equal(["y", "y", "y2", "y2"], data.Select(t => (string?)t!["yaxis"] ?? "y"));
        Assert.Equal("right", (string)figure["layout"]!["yaxis2"]!["side"]!);
        Assert.Equal("h", (string)figure["layout"]!["legend"]!["orientation"]!);
        Assert.Equal(1.5, (double)figure["layout"]!["shapes"]![0]!["x0"]!);
        Assert.Equal("stage 2", (string)figure["layout"]!["annotations"]![0]!["text"]!);

        // Ticks at whole epochs, also on a two-epoch run (plotly.js would put them at 1, 1.2, 1.4, …).
        Assert.Equal("epoch", (string)figure["layout"]!["xaxis"]!["title"]!["text"]!);
        Assert.Equal(1, (int)figure["layout"]!["xaxis"]!["dtick"]!);

        var comparison = Figure(TrainingCurves.Compare(new Dictionary<string, IReadOnlyList<EpochRecord>> { ["a"] = history, ["b"] = history }));
        var compared = comparison["data"]!.AsArray();
        Assert.Equal(["a", "b"], compared.Select(t => (string)t!["name"]!));
        Assert.Equal([0.55, 0.75], compared[1]!["y"]!.AsArray().Select(v => (double)v!));
        Assert.Equal(1, (int)comparison["layout"]!["xaxis"]!["dtick"]!);
    }

    [Fact]
    public void LongRunsGetFewerEpochTicks()
    {
        var history = Enumerable.Range(1, 60).Select(e => new EpochRecord(e, 1.0, 0.5, 0.9, 0.55, 0.1, 1, 100)).ToList();
        Assert.Equal(3, (int)Figure(TrainingCurves.Of(history))["layout"]!["xaxis"]!["dtick"]!);
    }
}
