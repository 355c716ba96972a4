using System.Globalization;
using System.Net;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Notebooks;

/// <summary>
/// A tensor as a notebook shows it: shape, dtype, device, summary statistics and a small preview
/// of its first values, without printing millions of numbers.
/// </summary>
internal static class TensorView
{
    /// <summary>Summary statistics of a tensor's values.</summary>
    public sealed record Statistics(double Min, double Max, double Mean, double Std, long NaNs, long Count);

    /// <summary>Computes min, max, mean, population std and the NaN count, ignoring NaNs; null for empty or non-numeric tensors.</summary>
    public static Statistics? Summarize(Tensor tensor)
    {
        if (tensor.numel() == 0 || tensor.dtype == ScalarType.Bool || tensor.is_complex()) return null;
        using var scope = NewDisposeScope();
        var values = tensor.detach().to(CPU).to_type(ScalarType.Float64).flatten();
        var isNaN = values.isnan();
        var nans = isNaN.sum().item<long>();
        var finite = values.masked_select(isNaN.logical_not());
        if (finite.numel() == 0) return new Statistics(double.NaN, double.NaN, double.NaN, double.NaN, nans, values.numel());
        return new Statistics(
            finite.min().item<double>(),
            finite.max().item<double>(),
            finite.mean().item<double>(),
            finite.std(unbiased: false).item<double>(),
            nans,
            values.numel());
    }

    /// <summary>The first values of each dimension (at most <paramref name="edge"/> along the last two, 2 along others).</summary>
    public static (Tensor Preview, bool Truncated) Preview(Tensor tensor, int edge = 6)
    {
        var preview = tensor.detach().to(CPU);
        bool truncated = false;
        for (int d = 0; d < preview.dim(); d++)
        {
            long keep = d >= preview.dim() - 2 ? edge : 2;
            if (preview.shape[d] > keep)
            {
                preview = preview.narrow(d, 0, keep);
                truncated = true;
            }
        }
        return (preview, truncated);
    }

    /// <summary>HTML for a notebook output cell.</summary>
    public static string ToHtml(Tensor tensor)
    {
        var html = new StringBuilder();
        var shape = "[" + string.Join(", ", tensor.shape) + "]";
        html.Append("<div class=\"cnnsentinel-tensor\"><table>");
        Row(html, "shape", shape);
        Row(html, "dtype", tensor.dtype.ToString());
        Row(html, "device", tensor.device.ToString());
        if (tensor.requires_grad) Row(html, "requires_grad", "true");
        if (Summarize(tensor) is { } s)
        {
            Row(html, "min / max", $"{F(s.Min)} / {F(s.Max)}");
            Row(html, "mean ± std", $"{F(s.Mean)} ± {F(s.Std)}");
            if (s.NaNs > 0) Row(html, "NaN", $"{s.NaNs} of {s.Count}");
        }
        html.Append("</table>");
        if (tensor.numel() > 0)
        {
            var (preview, truncated) = Preview(tensor);
            using (preview)
            {
                html.Append("<pre>").Append(WebUtility.HtmlEncode(preview.ToString(TorchSharp.TensorStringStyle.Numpy)));
                if (truncated) html.Append("\n… (first values of each dimension)");
                html.Append("</pre>");
            }
        }
        return html.Append("</div>").ToString();
    }

    static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th style=\"text-align:left\">").Append(name).Append("</th><td style=\"text-align:left\">")
            .Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");

    static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
}
