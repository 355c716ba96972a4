using System.Reflection;
using System.Text;
using Plotly.NET;

namespace CnnSentinel.Notebooks;

/// <summary>
/// Renders a Plotly.NET chart as notebook HTML that works offline: plotly.js comes from the copy
/// embedded in Plotly.NET, not from a CDN.
/// </summary>
/// <remarks>
/// plotly.js is inlined into each chart output (about 3.5 MB) so that a saved notebook shows every
/// chart on its own, in Jupyter, JupyterLab and VS Code, without network. It is loaded only once per
/// page: later outputs reuse <c>window.Plotly</c>.
/// </remarks>
public static class ChartHtml
{
    static readonly Lazy<string> PlotlyJs = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    });

    /// <summary>HTML (a div and a script) that draws <paramref name="chart"/>.</summary>
    public static string Render(GenericChart chart)
    {
        var id = "cnnsentinel-chart-" + Guid.NewGuid().ToString("N");
        var figure = GenericChart.toFigureJson(chart);
        var html = new StringBuilder();
        html.Append("<div id=\"").Append(id).Append("\"></div><script type=\"text/javascript\">(function(){");
        html.Append("function draw(){var fig=").Append(figure).Append(";Plotly.newPlot('").Append(id)
            .Append("',fig.data,fig.layout,{responsive:true});}");
        // Under require.js (classic Jupyter) plotly.js would register as an AMD module instead of
        // setting window.Plotly; hide `define` while it evaluates.
        html.Append("if(window.Plotly){draw();return;}var savedDefine=window.define;window.define=undefined;");
        html.Append(PlotlyJs.Value.Replace("</script>", "<\\/script>", StringComparison.OrdinalIgnoreCase));
        html.Append(";window.define=savedDefine;draw();})();</script>");
        return html.ToString();
    }
}
