using CnnSentinel.Training;
using static TorchSharp.torch;

namespace CnnSentinel.Evaluation;

/// <summary>
/// Runs a classifier over labelled batches and keeps every prediction with its sample.
/// </summary>
/// <remarks>
/// The original's users got a meaningless confusion matrix when predictions came from a shuffled
/// generator and labels from another pass (its issue #16). Here labels, keys and predictions of a
/// batch are taken together, so they cannot drift apart whatever the order of the data.
/// </remarks>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="model"/> (in eval mode, without gradients) on <paramref name="batches"/>.</summary>
    public static EvaluationReport Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<TrainingBatch> batches, IReadOnlyList<string> classes)
    {
        model.eval();
        using var _ = no_grad();
        var predictions = new List<Prediction>();
        foreach (var batch in batches)
        {
            using var _batch = batch;
            using var scope = NewDisposeScope();
            var probabilities = nn.functional.softmax(model.forward(batch.Inputs), 1).cpu();
            if (probabilities.shape[1] != classes.Count)
                throw new ArgumentException($"The model gives {probabilities.shape[1]} classes but {classes.Count} class names were given.");
            var predicted = probabilities.argmax(1).data<long>().ToArray();
            var truth = batch.Labels.cpu().data<long>().ToArray();
            var rows = probabilities.data<float>().ToArray();
            for (int i = 0; i < truth.Length; i++)
                predictions.Add(new Prediction(batch.Keys?[i], (int)truth[i], (int)predicted[i], rows.AsSpan(i * classes.Count, classes.Count).ToArray()));
        }
        return new EvaluationReport(classes, predictions);
    }
}
