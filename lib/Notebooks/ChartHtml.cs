using System.IO.Compression;
using System.Text;
using Plotly.NET;

namespace CnnSentinel.Notebooks;

/// <summary>
/// Renders a Plotly.NET chart as notebook HTML that works offline: plotly.js comes from the copy
/// embedded in Plotly.NET, not from a CDN.
/// </summary>
/// <remarks>
/// <para>plotly.js is inlined once per kernel session, into the first chart's output, gzip-compressed and base64-encoded
/// (about 1.4 MB instead of 3.6 MB; the browser inflates it with its built-in <c>DecompressionStream</c>). Later charts
/// use the <c>window.Plotly</c> it defines, so a saved notebook carries one copy however many charts it has, and opens
/// offline in Jupyter, JupyterLab, VS Code and as nbconvert HTML. A later chart whose page has no plotly.js (the first
/// chart's output was cleared or replaced by rerunning its cell, or a viewer shows outputs in separate frames) says so
/// instead of staying blank; restarting the kernel and running all cells puts plotly.js back into the first chart.</para>
/// <para>Plotly.NET.Interactive, the usual chart formatter, is not used: its output loads plotly.js from a CDN through
/// require.js, which leaves every chart blank offline.</para>
/// </remarks>
internal static class ChartHtml
{
    /// <summary>Plotly.NET's own plotly.js (the version its figure JSON is written for), gzip-compressed, as base64.</summary>
    static readonly Lazy<string> CompressedPlotlyJs = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".min.js", StringComparison.Ordinal));
        using var source = assembly.GetManifestResourceStream(name)!;
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true)) source.CopyTo(gzip);
        return Convert.ToBase64String(compressed.GetBuffer(), 0, (int)compressed.Length);
    });

    /// <summary>The JavaScript that inflates <see cref="CompressedPlotlyJs"/> and runs it; the promise in <c>window.cnnsentinelPlotly</c> resolves once <c>window.Plotly</c> exists.</summary>
    const string LoadPlotlyJs =
        "if(!window.cnnsentinelPlotly){var bytes=Uint8Array.from(atob(PAYLOAD),function(c){return c.charCodeAt(0);});" +
        "window.cnnsentinelPlotly=new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function(js){" +
        // Under require.js (classic Jupyter) plotly.js would register as an AMD module instead of setting
        // window.Plotly; hide `define` while it runs.
        "var savedDefine=window.define;window.define=undefined;var script=document.createElement('script');script.text=js;" +
        "document.head.appendChild(script);window.define=savedDefine;});}";

    static int plotlyJsRendered;

    /// <summary>HTML (a div and a script) that draws <paramref name="chart"/>; the first call in a process carries plotly.js.</summary>
    public static string Render(GenericChart chart) =>
        Render(chart, includePlotlyJs: Interlocked.Exchange(ref plotlyJsRendered, 1) == 0);

    /// <summary>HTML (a div and a script) that draws <paramref name="chart"/>, with plotly.js inlined or not.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="includePlotlyJs">Inline plotly.js (when the page may not have it yet).</param>
    public static string Render(GenericChart chart, bool includePlotlyJs)
    {
        var id = "cnnsentinel-chart-" + Guid.NewGuid().ToString("N");
        var figure = GenericChart.toFigureJson(chart);
        var html = new StringBuilder();
        html.Append("<div id=\"").Append(id).Append("\"></div><script type=\"text/javascript\">(function(){");
        // The width follows the notebook column (a fixed width set on the chart is dropped).
        html.Append("function draw(){var fig=").Append(figure).Append(";if(fig.layout){delete fig.layout.width;}Plotly.newPlot('").Append(id)
            .Append("',fig.data,fig.layout,{responsive:true});}");
        html.Append("if(window.Plotly){draw();return;}");
        if (includePlotlyJs)
            html.Append(LoadPlotlyJs.Replace("PAYLOAD", "'" + CompressedPlotlyJs.Value + "'", StringComparison.Ordinal));
        // Wait for the plotly.js that this or the notebook's first chart brings (outputs may render out of order).
        html.Append("if(window.cnnsentinelPlotly){window.cnnsentinelPlotly.then(draw);return;}")
            .Append("var tries=100;(function wait(){if(window.Plotly){draw();}else if(window.cnnsentinelPlotly){window.cnnsentinelPlotly.then(draw);}")
            .Append("else if(--tries>0){setTimeout(wait,100);}else{document.getElementById('").Append(id)
            .Append("').textContent='This chart needs plotly.js, which the first chart after a kernel start brings: restart the kernel and run all cells.';}})();");
        html.Append("})();</script>");
        return html.ToString();
    }
}
