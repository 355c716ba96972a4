using CnnSentinel.Loading;
using CnnSentinel.Training;
using Plotly.NET;
using Plotly.NET.CSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Chart = Plotly.NET.CSharp.Chart;

namespace CnnSentinel.Interpretation;

/// <summary>
/// What the network "sees" before its last decision: the penultimate features (the input of the final
/// linear layer) of many samples, projected to two dimensions with PCA and coloured by class.
/// </summary>
public static class FeatureEmbedding
{
    /// <summary>Penultimate features of every sample, [N, D], with their labels, in the order of the batches.</summary>
    public static (Tensor Features, long[] Labels) Features(nn.Module<Tensor, Tensor> model, IEnumerable<TrainingBatch> batches)
    {
        var last = model.modules().OfType<Linear>().LastOrDefault()
            ?? throw new ArgumentException("The model has no Linear layer whose input could serve as features.");
        var collected = new List<Tensor>();
        var labels = new List<long>();
        var hook = last.register_forward_pre_hook((_, input) =>
        {
            collected.Add(input.detach().flatten(1).cpu().clone().DetachFromDisposeScope());
            return input;
        });
        model.eval();
        try
        {
            using var _ = no_grad();
            foreach (var batch in batches)
            {
                using var _batch = batch;
                using var scope = NewDisposeScope();
                model.forward(batch.Inputs);
                labels.AddRange(batch.Labels.cpu().data<long>());
            }
        }
        finally
        {
            hook.remove();
        }
        if (collected.Count == 0) throw new ArgumentException("No batches to embed.");
        var features = cat(collected);
        foreach (var t in collected) t.Dispose();
        return (features, labels.ToArray());
    }

    /// <summary>
    /// The first two principal components of <paramref name="features"/> [N, D] → [N, 2], each sign chosen
    /// so that its largest loading is positive (so the picture does not flip between runs).
    /// </summary>
    public static Tensor Pca(Tensor features)
    {
        using var scope = NewDisposeScope();
        var centred = features.to_type(ScalarType.Float64) - features.to_type(ScalarType.Float64).mean([0], keepdim: true);
        var (_, _, vh) = linalg.svd(centred, fullMatrices: false);
        var components = vh.narrow(0, 0, Math.Min(2, vh.shape[0]));
        var largest = components.abs().argmax(1, keepdim: true);
        var signs = components.gather(1, largest).sign();
        return centred.matmul((components * signs).t()).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>A scatter plot of the PCA projection, one colour per class.</summary>
    public static GenericChart Chart(Tensor projection, long[] labels, IReadOnlyList<string> classes)
    {
        float[] x, y;
        using (var first = projection[TensorIndex.Colon, 0]) x = first.data<float>().ToArray();
        using (var second = projection[TensorIndex.Colon, 1]) y = second.data<float>().ToArray();
        return Plotly.NET.CSharp.Chart.Combine(classes.Select((name, c) =>
            {
                var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
                return Plotly.NET.CSharp.Chart.Point<float, float, string>(x: members.Select(i => x[i]).ToArray(), y: members.Select(i => y[i]).ToArray(), Name: name);
            }))
            .WithXAxisStyle<double, double, string>(TitleText: "principal component 1")
            .WithYAxisStyle<double, double, string>(TitleText: "principal component 2")
            .WithTitleText("Features of the validation images on their first two principal components, by true class");
    }
}
