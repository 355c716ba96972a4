using Microsoft.FSharp.Core;
using Plotly.NET;

namespace CnnSentinel.Interpretation;

/// <summary>
/// plotly.js attributes that Plotly.NET's C# builders do not expose (a second y axis, shapes, cell text, legend
/// placement, whole-number ticks), set by their plotly.js names on the chart's layout or traces; public so that a
/// notebook's own charts get the same layout as the library's (<c>chart.WithLegendAbove().WithTitleText("…")</c>).
/// </summary>
public static class ChartLayout
{
    /// <summary>Sets the layout attribute <paramref name="name"/> (plotly.js's name, e.g. <c>yaxis2</c>) to <paramref name="value"/> (serialised as JSON).</summary>
    public static GenericChart WithLayoutValue(this GenericChart chart, string name, object value) =>
        GenericChart.mapLayout(FuncConvert.FromFunc<Layout, Layout>(layout => { layout.SetProperty(name, value); return layout; }), chart);

    /// <summary>Sets the trace attribute <paramref name="name"/> on every trace of <paramref name="chart"/>.</summary>
    public static GenericChart WithTraceValue(this GenericChart chart, string name, object value) =>
        GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(trace => { trace.SetProperty(name, value); return trace; }), chart);

    /// <summary>The legend as one row under the plot, so that it takes no width from a notebook column.</summary>
    public static GenericChart WithLegendBelow(this GenericChart chart) =>
        chart.WithLayoutValue("legend", new { orientation = "h", x = 0, xanchor = "left", y = -0.2, yanchor = "top" });

    /// <summary>The legend as one row above the plot, for charts whose x axis carries long category names.</summary>
    public static GenericChart WithLegendAbove(this GenericChart chart) =>
        chart.WithLayoutValue("legend", new { orientation = "h", x = 0, xanchor = "left", y = 1.02, yanchor = "bottom" });

    /// <summary>A title above the plot.</summary>
    public static GenericChart WithTitleText(this GenericChart chart, string title) =>
        chart.WithLayoutValue("title", new { text = title });

    /// <summary>
    /// An x axis titled "epoch" with a tick at every whole epoch (every few when there are many), not at 1.5 or 2.5 as
    /// plotly.js puts them on a short run.
    /// </summary>
    /// <param name="chart">The chart.</param>
    /// <param name="lastEpoch">The highest epoch number shown.</param>
    public static GenericChart WithEpochAxis(this GenericChart chart, int lastEpoch) =>
        chart.WithLayoutValue("xaxis", new { title = new { text = "epoch" }, tick0 = 1, dtick = Math.Max(1, (int)Math.Ceiling(lastEpoch / 20.0)) });
}
