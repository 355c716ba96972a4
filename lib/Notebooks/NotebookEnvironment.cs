using System.Reflection;
using System.Runtime.Loader;
using CnnSentinel.Evaluation;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Transforms;
using Plotly.NET;
using TorchSharp;

namespace CnnSentinel.Notebooks;

/// <summary>
/// Prepares a .NET Interactive kernel for the library. The package's kernel extension
/// (<c>interactive-extensions/dotnet/extension.dib</c>) calls <see cref="Initialize"/> and registers
/// <see cref="Formatters"/> when a notebook runs <c>#r "nuget: CnnSentinel.Lib, …"</c>.
/// </summary>
public static class NotebookEnvironment
{
    static readonly Lock Gate = new();
    static TorchRuntime.RuntimeReport? _runtime;

    /// <summary>True once a notebook kernel has loaded the library.</summary>
    public static bool IsInitialized => NotebookKernel.IsLoaded;

    /// <summary>
    /// Makes the kernel ready: lets Plotly.NET bind to the kernel's FSharp.Core and loads the native
    /// torch runtime. Idempotent.
    /// </summary>
    public static TorchRuntime.RuntimeReport Initialize()
    {
        lock (Gate)
        {
            if (_runtime is not null) return _runtime;
            // The kernel ships FSharp.Core 10.0; Plotly.NET is built against 10.1 and would fail to load
            // its first chart. FSharp.Core keeps binary compatibility within a major version, so the
            // loaded one serves the request.
            AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core" ? LoadedAssembly(name.Name) : null;
            _runtime = TorchRuntime.EnsureLoaded();
            NotebookKernel.MarkLoaded();
            return _runtime;
        }
    }

    static Assembly? LoadedAssembly(string name) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == name)
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();

    /// <summary>
    /// The display rules the kernel extension registers: tensors as a summary with a preview, image
    /// batches as a PNG picture grid, confusion matrices, band statistics and <see cref="Table"/>s as tables, Plotly charts as offline HTML.
    /// Each rule: objects of <c>Type</c> render, through <c>Format</c>, as <c>MimeType</c> text.
    /// </summary>
    public static IReadOnlyList<(Type Type, string MimeType, Func<object, string> Format)> Formatters() =>
    [
        (typeof(torch.Tensor), "text/html", o => TensorView.ToHtml((torch.Tensor)o)),
        (typeof(ImageBatch), "image/png", o => Convert.ToBase64String(((ImageBatch)o).ToPng())),
        (typeof(ConfusionMatrix), "text/html", o => ((ConfusionMatrix)o).ToHtml()),
        (typeof(GenericChart), "text/html", o => ChartHtml.Render((GenericChart)o)),
        (typeof(ModelSummary), "text/html", o => ((ModelSummary)o).ToHtml()),
        (typeof(BandStatistics), "text/html", o => ((BandStatistics)o).ToHtml()),
        (typeof(Table), "text/html", o => ((Table)o).ToHtml()),
    ];
}
