using System.Globalization;
using System.Text;
using CnnSentinel.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A table of a model's layers for one input size: output shapes, parameters, trainable parameters and
/// FLOPs, found by running one image of zeros through the model with hooks on its leaf layers.
/// </summary>
/// <remarks>
/// FLOPs count 2 × the multiply-adds of convolutions and linear layers, the usual convention; batch norm,
/// activations, pooling and additions (well under 1 % for these networks) are left out.
/// </remarks>
public sealed class ModelSummary
{
    ModelSummary(string model, long[] inputShape, IReadOnlyList<ModelSummaryRow> rows, long parameters, long trainable)
    {
        Model = model;
        InputShape = inputShape;
        Rows = rows;
        TotalParameters = parameters;
        TrainableParameters = trainable;
    }

    /// <summary>The model's name.</summary>
    public string Model { get; }

    /// <summary>The input the summary was computed for (batch of one): 1 × bands × height × width.</summary>
    public long[] InputShape { get; }

    /// <summary>The leaf layers in call order.</summary>
    internal IReadOnlyList<ModelSummaryRow> Rows { get; }

    /// <summary>All parameter values of the model.</summary>
    public long TotalParameters { get; }

    /// <summary>Parameter values that train (not frozen).</summary>
    public long TrainableParameters { get; }

    /// <summary>FLOPs of one forward pass of one image.</summary>
    public long TotalFlops => Rows.Sum(r => r.Flops);

    /// <summary>Summarises <paramref name="model"/> for one image of <paramref name="bands"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static ModelSummary Of(nn.Module<Tensor, Tensor> model, int bands, int height, int width)
    {
        var names = model.named_modules().ToDictionary(m => m.module, m => m.name, (IEqualityComparer<nn.Module>)ReferenceEqualityComparer.Instance);
        var rows = new List<ModelSummaryRow>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var hooks = new List<Action>();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not nn.Module<Tensor, Tensor> leaf || leaf.children().Any()) continue;
            var hook = leaf.register_forward_hook((m, input, output) =>
            {
                var first = seen.Add(m);
                var own = first ? m.parameters(recurse: false).ToList() : [];
                rows.Add(new ModelSummaryRow(names[m], m.GetType().Name, output.shape,
                    own.Sum(p => p.numel()), own.Where(p => p.requires_grad).Sum(p => p.numel()), Flops(m, output)));
                return output;
            });
            hooks.Add(hook.remove);
        }
        var wasTraining = model.training;
        try
        {
            model.eval();
            using var noGrad = torch.no_grad();
            using var scope = NewDisposeScope();
            model.call(torch.zeros(1, bands, height, width));
        }
        finally
        {
            foreach (var remove in hooks) remove();
            model.train(wasTraining);
        }
        return new ModelSummary(model.GetName(), [1, bands, height, width], rows,
            model.CountParameters(), model.CountParameters(trainableOnly: true));
    }

    /// <summary>
    /// FLOPs of one call of <paramref name="module"/> that produced <paramref name="output"/>: convolutions and linear
    /// layers, 2 per multiply-add; 0 for other layers, whose cost is small beside them.
    /// </summary>
    public static long Flops(nn.Module module, Tensor output) => module switch
    {
        Conv2d conv => 2 * output.numel() * conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3],
        Linear linear => 2 * output.numel() * linear.weight!.shape[1],
        _ => 0,
    };

    /// <summary>HTML for a notebook output cell: one row per layer call, then the totals.</summary>
    public string ToHtml()
    {
        HtmlCell[] headings = [HtmlCell.Left("layer"), HtmlCell.Left("type"), "output shape", "parameters", "trainable", "FLOPs"];
        var rows = Rows.Select(row => new HtmlCell[]
            { HtmlCell.Left(row.Layer), HtmlCell.Left(row.Type), Shape(row.OutputShape), N(row.Parameters), N(row.TrainableParameters), N(row.Flops) });
        return $"<div class=\"cnnsentinel-summary\">{HtmlTable.Render(null, headings, rows)}<p>{HtmlTable.Escape(Totals())}</p></div>";
    }

    /// <summary>A plain-text table, one line per layer call, then the totals.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var width = Rows.Select(r => r.Layer.Length).DefaultIfEmpty(5).Max();
        text.AppendLine($"{"layer".PadRight(width)}  {"type",-20} {"output shape",-18} {"parameters",12} {"trainable",12} {"FLOPs",16}");
        foreach (var row in Rows)
            text.AppendLine($"{row.Layer.PadRight(width)}  {row.Type,-20} {Shape(row.OutputShape),-18} {N(row.Parameters),12} {N(row.TrainableParameters),12} {N(row.Flops),16}");
        return text.Append(Totals()).ToString();
    }

    string Totals() =>
        $"{Model} on {Shape(InputShape)}: {N(TotalParameters)} parameters ({N(TrainableParameters)} trainable), " +
        $"{(TotalFlops / 1e9).ToString("0.###", CultureInfo.InvariantCulture)} GFLOPs per image";

    static string Shape(long[] shape) => string.Join(" × ", shape);

    static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
