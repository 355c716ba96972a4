using CnnSentinel.Notebooks;
using Plotly.NET.CSharp;

namespace CnnSentinel.Tests.Notebooks;

public class ChartHtmlTests
{
    [Fact]
    public void ChartHtmlCarriesItsDataAndPlotlyJsForOfflineUse()
    {
        var chart = Chart.Column<int, string, string>(values: new[] { 3, 5 }, Keys: new[] { "Forest", "River" });
        var html = ChartHtml.Render(chart);
        Assert.Contains("\"Forest\"", html);
        Assert.Contains("Plotly.newPlot(", html);
        Assert.Contains("plotly.js v2", html, StringComparison.OrdinalIgnoreCase); // the embedded library's banner
        Assert.DoesNotContain("<script src", html); // nothing fetched from the network
    }
}
