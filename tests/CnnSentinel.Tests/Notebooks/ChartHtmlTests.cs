using System.IO.Compression;
using System.Text.RegularExpressions;
using CnnSentinel.Notebooks;
using Plotly.NET.CSharp;

namespace CnnSentinel.Tests.Notebooks;

/// <summary>Chart HTML on its own; that the charts draw in a browser is checked on an executed notebook (NotebookExecutionTests).</summary>
public class ChartHtmlTests
{
    static Plotly.NET.GenericChart Columns() => Chart.Column<int, string, string>(values: new[] { 3, 5 }, Keys: new[] { "Forest", "River" });

    [Fact]
    public void ChartHtmlCarriesItsDataAndCompressedPlotlyJsForOfflineUse()
    {
        var html = ChartHtml.Render(Columns(), includePlotlyJs: true);
        Assert.Contains("\"Forest\"", html);
        Assert.Contains("Plotly.newPlot(", html);
        Assert.DoesNotContain("<script src", html); // nothing fetched from the network
        var payload = Regex.Match(html, "atob\\('([A-Za-z0-9+/=]+)'\\)").Groups[1].Value;
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(payload)), CompressionMode.Decompress);
        var plotlyJs = new StreamReader(gzip).ReadToEnd();
        Assert.Contains("plotly.js v2", plotlyJs, StringComparison.OrdinalIgnoreCase); // the library's banner
        Assert.True(html.Length < plotlyJs.Length / 2, $"{html.Length:N0} characters of HTML for {plotlyJs.Length:N0} of plotly.js");
    }

    [Fact]
    public void PlotlyJsIsInlinedOncePerSession()
    {
        ChartHtml.Render(Columns());
        var later = ChartHtml.Render(Columns());
        Assert.DoesNotContain("atob(", later);
        Assert.Contains("\"River\"", later);
        Assert.Contains("Plotly.newPlot(", later);
        Assert.True(later.Length < 20_000, $"a chart without plotly.js is {later.Length:N0} characters");
    }
}
