using System.Diagnostics;
using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// Trains a classifier: epochs of optimiser steps, validation after each epoch and the learning-rate schedule. Everything
/// else — checkpoints that resume exactly, best weights, early stopping, the history CSV, live progress — is done by
/// callbacks (<see cref="TrainerCallback"/>), those <see cref="TrainerOptions"/> asks for unless it lists its own.
/// </summary>
/// <remarks>
/// Exact resumption rests on three things: the data yields the same batches for an epoch number
/// (<see cref="ITrainingData"/>), the checkpoint after each epoch holds model, optimiser, schedule and
/// torch's random generator, and a killed epoch is replayed from its start.
/// </remarks>
public static class Trainer
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, validating on <paramref name="validation"/>.</summary>
    /// <param name="model">A classifier mapping [N, C, H, W] to logits [N, classes]. Only parameters with requires_grad are trained.</param>
    /// <param name="train">Training batches.</param>
    /// <param name="validation">Validation batches.</param>
    /// <param name="options">How to train.</param>
    /// <param name="cancellation">Stops between steps; the last completed epoch's checkpoint remains.</param>
    public static TrainingResult Fit(nn.Module<Tensor, Tensor> model, ITrainingData train, ITrainingData validation,
        TrainerOptions options, CancellationToken cancellation = default)
    {
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), "Epochs must be at least 1.");
        if (!(options.LabelSmoothing is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.LabelSmoothing, "LabelSmoothing must be in [0, 1).");
        if (options.Blocks is not null && model is not ImageClassifier { FeatureStride: not null, FeaturesAreShiftEquivariant: false })
            throw new UserErrorException($"Block steps (--blocks) train a padded network built as features → average pooling → head (ResNet18, DenseNet201) for dense classification; {model.GetName()} is not one.");
        var device = ComputeDevice.Require(options.Device);
        ComputeDevice.MoveTo(model, device);
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        if (trainable.Count == 0) throw new ArgumentException("The model has no trainable parameters (all frozen?).", nameof(model));
        using var lossFunction = new CrossEntropyLoss(options.ClassWeights is { } w ? tensor(w, device: device) : null, label_smoothing: options.LabelSmoothing);
        using var mixed = options.Precision == ComputePrecision.BFloat16 ? new MixedPrecision(model) : null;
        var context = new TrainingContext(model, options.Optimizer.Create(mixed?.OptimizedParameters() ?? trainable), options,
            options.StepsPerEpoch ?? train.BatchesPerEpoch, device) { MixedPrecision = mixed };
        var callbacks = options.Callbacks ?? options.StandardCallbacks();

        foreach (var callback in callbacks) callback.OnFitStart(context);
        // A resuming callback loaded the model: the masters start from it.
        mixed?.TakeModelWeights();
        context.BeginEpochs();
        while (context.Epoch < options.Epochs && !context.StopRequested)
            RunEpoch(context, lossFunction, train, validation, callbacks, cancellation);
        foreach (var callback in callbacks) callback.OnFitEnd(context);
        return new TrainingResult(context.History, context.BestEpoch, context.BestValidationAccuracy, context.StopRequested,
            context.ResumedFromEpoch, context.BestCheckpoint);
    }

    /// <summary>Mean loss and accuracy of <paramref name="model"/> over <paramref name="batches"/>, in eval mode without gradients.</summary>
    /// <param name="model">The classifier, on <paramref name="device"/>.</param>
    /// <param name="lossFunction">The loss.</param>
    /// <param name="batches">Labelled batches (on the CPU, as loaders make them).</param>
    /// <param name="device">Where the model is; the CPU when null.</param>
    /// <param name="precision">The number format the model computes in now (bfloat16: each batch is converted to it; the
    /// loss is taken in float32).</param>
    public static (double Loss, double Accuracy) Validate(nn.Module<Tensor, Tensor> model, nn.Module<Tensor, Tensor, Tensor> lossFunction,
        IEnumerable<TrainingBatch> batches, Device? device = null, ComputePrecision precision = ComputePrecision.Float32)
    {
        model.eval();
        using var _ = no_grad();
        double lossSum = 0;
        long correct = 0, count = 0;
        foreach (var batch in batches)
        {
            using var _batch = batch;
            using var scope = NewDisposeScope();
            var labels = ComputeDevice.On(batch.Labels, device ?? CPU);
            var inputs = ComputeDevice.On(batch.Inputs, device ?? CPU);
            var logits = model.forward(precision == ComputePrecision.BFloat16 ? inputs.to_type(ScalarType.BFloat16) : inputs).to_type(ScalarType.Float32);
            long n = labels.shape[0];
            lossSum += lossFunction.forward(logits, labels).item<float>() * n;
            correct += logits.argmax(1).eq(labels).sum().item<long>();
            count += n;
        }
        if (count == 0) throw new InvalidOperationException("The validation data yielded no samples.");
        return (lossSum / count, (double)correct / count);
    }

    /// <summary>One epoch: its steps, the validation pass, the schedule's observation, then the callbacks.</summary>
    static void RunEpoch(TrainingContext context, CrossEntropyLoss lossFunction, ITrainingData train, ITrainingData validation,
        IReadOnlyList<TrainerCallback> callbacks, CancellationToken cancellation)
    {
        int epoch = context.Epoch;
        var options = context.Options;
        double lr = options.Optimizer.LearningRate * options.Schedule.FactorFor(epoch, 1.0 / context.StepsPerEpoch);
        var clock = Stopwatch.StartNew();
        context.MixedPrecision?.EnterSteps();
        var (trainLoss, trainAccuracy, images) = TrainEpoch(context, lossFunction, Cycle(train, epoch), callbacks, cancellation);
        // Validation computes as the steps did (bfloat16 in a mixed-precision run, as PyTorch's autocast would: nearly 3×
        // faster here than float32, bench precision); the callbacks see the float32 masters.
        var (valLoss, valAccuracy) = Validate(context.Model, lossFunction, validation.Batches(epoch), context.Device, options.Precision);
        context.MixedPrecision?.LeaveSteps();
        options.Schedule.Observe(valLoss);
        double seconds = clock.Elapsed.TotalSeconds;
        context.CompleteEpoch(new EpochRecord(epoch + 1, trainLoss, trainAccuracy, valLoss, valAccuracy, lr, seconds, images), images / Math.Max(1e-9, seconds));
        foreach (var callback in callbacks) callback.OnEpochEnd(context);
    }

    /// <summary>The optimiser steps of one epoch; mean loss, accuracy and images seen.</summary>
    static (double Loss, double Accuracy, long Images) TrainEpoch(TrainingContext context, CrossEntropyLoss lossFunction,
        IEnumerable<TrainingBatch> batches, IReadOnlyList<TrainerCallback> callbacks, CancellationToken cancellation)
    {
        context.Model.train();
        double lossSum = 0;
        long correct = 0, count = 0;
        int step = 0, steps = context.StepsPerEpoch;
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches.Take(steps))
        {
            using var _batch = batch;
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var (loss, right) = Step(context, lossFunction, batch, step);
            long n = batch.Labels.shape[0];
            lossSum += loss * n;
            correct += right;
            count += n;
            step++;
            double seconds = clock.Elapsed.TotalSeconds;
            // The rest of this epoch and the epochs after it, at this epoch's pace so far.
            var remaining = TimeSpan.FromSeconds(seconds / step * (steps - step + steps * (context.Options.Epochs - context.Epoch - 1)));
            var progress = new TrainingProgress(context.Epoch + 1, context.Options.Epochs, step, steps, lossSum / count, (double)correct / count,
                count / Math.Max(1e-9, seconds), remaining);
            foreach (var callback in callbacks) callback.OnStepEnd(context, progress);
        }
        if (count == 0) throw new InvalidOperationException("The training data yielded no samples.");
        return (lossSum / count, (double)correct / count, count);
    }

    /// <summary>One optimiser step on <paramref name="batch"/> at the schedule's rate for it; the batch's loss and correct predictions.</summary>
    static (float Loss, long Correct) Step(TrainingContext context, CrossEntropyLoss lossFunction, TrainingBatch batch, int step)
    {
        var options = context.Options;
        double lr = options.Optimizer.LearningRate * options.Schedule.FactorFor(context.Epoch, (step + 1.0) / context.StepsPerEpoch);
        foreach (var group in context.Optimizer.ParamGroups) group.LearningRate = lr;
        context.Optimizer.zero_grad();
        var mixed = context.MixedPrecision;
        var labels = ComputeDevice.On(batch.Labels, context.Device);
        var inputs = ComputeDevice.On(batch.Inputs, context.Device);
        var fed = mixed?.Inputs(inputs) ?? inputs;
        // Block steps: the network sees the batch as dense classification sees a scene's block (the check in Fit makes the cast safe).
        var blocks = options.Blocks is { } b && b.Applies((long)context.Epoch * context.StepsPerEpoch + step)
            ? b.Logits((ImageClassifier)context.Model, fed) : null;
        var logits = blocks ?? context.Model.forward(fed);
        // The loss in float32, whatever the layers computed in.
        if (mixed is not null) logits = logits.to_type(ScalarType.Float32);
        var loss = lossFunction.forward(logits, labels);
        loss.backward();
        mixed?.GradientsToMasters();
        context.Optimizer.step();
        mixed?.MastersToModel();
        return (loss.item<float>(), logits.argmax(1).eq(labels).sum().item<long>());
    }

    /// <summary>The batches of an epoch; when more steps are wanted than one pass holds, the following passes continue it.</summary>
    static IEnumerable<TrainingBatch> Cycle(ITrainingData data, int epoch)
    {
        for (int pass = 0; ; pass++)
        {
            bool any = false;
            // Later passes of one epoch use distinct, still deterministic, epoch numbers.
            foreach (var batch in data.Batches(epoch + pass * 1_000_003))
            {
                any = true;
                yield return batch;
            }
            if (!any) yield break;
        }
    }
}
