using CnnSentinel.Runtime;
using CnnSentinel.Loading;
using TorchSharp;
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
    // Referenced for the whole process, as libtorch reads it (see HeldScalars).
    static readonly Scalar DihedralViewCount = 8L.ToScalar();

    /// <summary>Evaluates <paramref name="model"/> (in eval mode, without gradients) on <paramref name="batches"/>.</summary>
    /// <param name="model">The classifier (logits out).</param>
    /// <param name="batches">Labelled batches.</param>
    /// <param name="classes">Class names, in the model's output order.</param>
    /// <param name="testTimeAugmentation">Average the probabilities over the 8 flips and quarter turns of each image
    /// (<see cref="DihedralProbabilities"/>): 8 forward passes per image.</param>
    /// <param name="device">Where to run: the model is moved there, and each batch as it comes; the CPU when null.
    /// A device this machine lacks is refused.</param>
    /// <param name="precision">The number format the model computes in: for bfloat16 the model is converted to it (in
    /// place), each batch too, and the probabilities back to float32.</param>
    public static EvaluationReport Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<TrainingBatch> batches, IReadOnlyList<string> classes,
        bool testTimeAugmentation = false, Device? device = null, ComputePrecision precision = ComputePrecision.Float32)
    {
        var on = ComputeDevice.Require(device ?? CPU);
        ComputeDevice.MoveTo(model, on);
        var reduced = precision == ComputePrecision.BFloat16;
        // Converted only when asked: converting replaces the parameters, which an optimiser training this model holds.
        if (reduced) model.to(ScalarType.BFloat16);
        model.eval();
        using var _ = no_grad();
        var predictions = new List<Prediction>();
        foreach (var batch in batches)
        {
            using var _batch = batch;
            using var scope = NewDisposeScope();
            var inputs = ComputeDevice.On(batch.Inputs, on);
            if (reduced) inputs = inputs.to_type(ScalarType.BFloat16);
            var probabilities = (testTimeAugmentation ? DihedralProbabilities(model, inputs) : nn.functional.softmax(model.forward(inputs), 1)).to_type(ScalarType.Float32).cpu();
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

    /// <summary>
    /// Class probabilities averaged over the 8 symmetries of the square (identity, three quarter turns, and each of
    /// those mirrored): land cover has no "up" in a satellite image, so each view is as valid as the original.
    /// </summary>
    public static Tensor DihedralProbabilities(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor? sum = null;
        foreach (bool mirrored in new[] { false, true })
            for (int turns = 0; turns < 4; turns++)
            {
                var view = (mirrored ? images.flip(-1) : images).rot90(turns, (-2, -1));
                var p = nn.functional.softmax(model.forward(view), 1).to_type(ScalarType.Float32); // summed in float32 whatever the model computes in
                sum = sum is null ? p : sum.add_(p, HeldScalars.One);
            }
        return sum!.div_(DihedralViewCount).MoveToOuterDisposeScope();
    }
}
