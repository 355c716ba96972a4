using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// Trains a classifier: epochs of optimiser steps, validation after each epoch, learning-rate
/// schedule, early stopping with the best weights restored, checkpoints that resume exactly, a
/// history CSV and live progress.
/// </summary>
/// <remarks>
/// Exact resumption rests on three things: the data yields the same batches for an epoch number
/// (<see cref="ITrainingData"/>), the checkpoint after each epoch holds model, optimiser, schedule and
/// torch's random generator, and a killed epoch is replayed from its start. A checkpoint is written
/// only after a whole epoch, atomically, so a kill at any moment leaves the previous one intact.
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
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        if (trainable.Count == 0) throw new ArgumentException("The model has no trainable parameters (all frozen?).", nameof(model));
        var optimizer = options.Optimizer.Create(trainable);
        var schedule = options.Schedule;
        if (!(options.LabelSmoothing is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.LabelSmoothing, "LabelSmoothing must be in [0, 1).");
        using var lossFunction = new CrossEntropyLoss(options.ClassWeights is { } w ? tensor(w) : null, label_smoothing: options.LabelSmoothing);

        var dir = options.CheckpointDirectory;
        if (dir is not null) Directory.CreateDirectory(dir);
        var state = new TrainerState(0, [], schedule.State, double.NegativeInfinity, 0, 0, null, []);
        Dictionary<string, Tensor>? bestWeights = null;
        var lastPath = dir is null ? null : Path.Combine(dir, options.LastCheckpointName);
        if (lastPath is not null && File.Exists(lastPath))
        {
            CheckSameRun(lastPath, Checkpoint.ReadHeader(lastPath).Identity, options.RunIdentity);
            state = Checkpoint.Load(lastPath, model, optimizer).Trainer;
            schedule.State = state.Schedule;
            if (state.RandomState.Length > 0) { using var saved = tensor(state.RandomState); torch.set_rng_state(saved); }
            if (state.BestCheckpoint is { } best && File.Exists(Path.Combine(dir!, best)))
                bestWeights = WeightsOf(Path.Combine(dir!, best), model);
        }
        int resumedFrom = state.Epoch;

        int steps = options.StepsPerEpoch ?? train.BatchesPerEpoch;
        bool stoppedEarly = false;
        var runClock = Stopwatch.StartNew();
        int epochsThisRun = 0;
        for (int epoch = state.Epoch; epoch < options.Epochs; epoch++)
        {
            double lr = options.Optimizer.LearningRate * schedule.FactorFor(epoch, 1.0 / steps);

            var epochClock = Stopwatch.StartNew();
            var (trainLoss, trainAccuracy, images) = TrainEpoch(model, optimizer, lossFunction, Cycle(train, epoch), steps, epoch, options, schedule,
                remainingEpochs: options.Epochs - epoch - 1, cancellation);
            var (valLoss, valAccuracy) = Validate(model, lossFunction, validation.Batches(epoch));
            schedule.Observe(valLoss);
            var record = new EpochRecord(epoch + 1, trainLoss, trainAccuracy, valLoss, valAccuracy, lr, epochClock.Elapsed.TotalSeconds, images);
            epochsThisRun++;

            bool improved = valAccuracy > state.BestValidationAccuracy;
            string? bestName = state.BestCheckpoint;
            if (improved)
            {
                ModelState.Dispose(bestWeights);
                bestWeights = ModelState.Copy(model);
                if (dir is not null)
                {
                    var previous = bestName;
                    bestName = options.BestCheckpointName(epoch + 1, valAccuracy);
                    Checkpoint.Save(Path.Combine(dir, bestName), model, optimizer, HeaderFor(options, epoch + 1, valAccuracy, model, state));
                    if (previous is not null && previous != bestName) File.Delete(Path.Combine(dir, previous));
                }
            }
            state = state with
            {
                Epoch = epoch + 1,
                History = [.. state.History, record],
                Schedule = schedule.State,
                BestValidationAccuracy = improved ? valAccuracy : state.BestValidationAccuracy,
                BestEpoch = improved ? epoch + 1 : state.BestEpoch,
                EpochsWithoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1,
                BestCheckpoint = bestName,
                RandomState = RandomGeneratorState(),
            };
            if (dir is not null)
            {
                Checkpoint.Save(lastPath!, model, optimizer, HeaderFor(options, epoch + 1, valAccuracy, model, state));
                TrainingHistory.WriteCsv(Path.Combine(dir, options.HistoryName), state.History);
            }
            options.Progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, steps, steps, trainLoss, trainAccuracy,
                images / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds), Remaining(runClock, epochsThisRun, options.Epochs - epoch - 1), record));

            if (options.EarlyStoppingPatience is { } patience && state.EpochsWithoutImprovement >= patience)
            {
                stoppedEarly = true;
                break;
            }
        }

        if (options.RestoreBestWeights && bestWeights is not null) ModelState.Restore(model, bestWeights);
        ModelState.Dispose(bestWeights);
        return new TrainingResult(state.History, state.BestEpoch, state.BestValidationAccuracy, stoppedEarly, resumedFrom,
            dir is not null && state.BestCheckpoint is not null ? Path.Combine(dir, state.BestCheckpoint) : null);
    }

    /// <summary>Mean loss and accuracy of <paramref name="model"/> over <paramref name="batches"/>, in eval mode without gradients.</summary>
    public static (double Loss, double Accuracy) Validate(nn.Module<Tensor, Tensor> model, nn.Module<Tensor, Tensor, Tensor> lossFunction, IEnumerable<TrainingBatch> batches)
    {
        model.eval();
        using var _ = no_grad();
        double lossSum = 0;
        long correct = 0, count = 0;
        foreach (var batch in batches)
        {
            using var _batch = batch;
            using var scope = NewDisposeScope();
            var logits = model.forward(batch.Inputs);
            long n = batch.Labels.shape[0];
            lossSum += lossFunction.forward(logits, batch.Labels).item<float>() * n;
            correct += logits.argmax(1).eq(batch.Labels).sum().item<long>();
            count += n;
        }
        if (count == 0) throw new InvalidOperationException("The validation data yielded no samples.");
        return (lossSum / count, (double)correct / count);
    }

    static (double Loss, double Accuracy, long Images) TrainEpoch(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer,
        nn.Module<Tensor, Tensor, Tensor> lossFunction, IEnumerable<TrainingBatch> batches, int steps, int epoch, TrainerOptions options,
        LearningRateSchedule schedule, int remainingEpochs, CancellationToken cancellation)
    {
        model.train();
        double lossSum = 0;
        long correct = 0, count = 0;
        int step = 0;
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches.Take(steps))
        {
            using var _batch = batch;
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            double lr = options.Optimizer.LearningRate * schedule.FactorFor(epoch, (step + 1.0) / steps);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            optimizer.zero_grad();
            var logits = model.forward(batch.Inputs);
            var loss = lossFunction.forward(logits, batch.Labels);
            loss.backward();
            optimizer.step();

            long n = batch.Labels.shape[0];
            lossSum += loss.item<float>() * n;
            correct += logits.argmax(1).eq(batch.Labels).sum().item<long>();
            count += n;
            step++;
            if (options.Progress is { } progress)
            {
                double perStep = clock.Elapsed.TotalSeconds / step;
                // The rest of this epoch and the epochs after it, at this epoch's pace so far.
                var remaining = TimeSpan.FromSeconds(perStep * (steps - step + steps * remainingEpochs));
                progress.Report(new TrainingProgress(epoch + 1, options.Epochs, step, steps, lossSum / count, (double)correct / count,
                    count / Math.Max(1e-9, clock.Elapsed.TotalSeconds), remaining));
            }
        }
        if (count == 0) throw new InvalidOperationException("The training data yielded no samples.");
        return (lossSum / count, (double)correct / count, count);
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

    /// <summary>Refuses to resume a checkpoint written by a run with other settings.</summary>
    /// <exception cref="InvalidOperationException">A setting differs; the message names it, both values and the checkpoint.</exception>
    static void CheckSameRun(string checkpoint, IReadOnlyDictionary<string, string>? saved, IReadOnlyDictionary<string, string>? current)
    {
        if (saved is null || current is null) return;
        var differences = current.Keys.Union(saved.Keys).Order(StringComparer.Ordinal)
            .Where(k => saved.GetValueOrDefault(k) != current.GetValueOrDefault(k))
            .Select(k => $"{k} was {saved.GetValueOrDefault(k) ?? "(not set)"}, now {current.GetValueOrDefault(k) ?? "(not set)"}")
            .ToList();
        if (differences.Count > 0)
            throw new InvalidOperationException($"{checkpoint} belongs to a run with other settings ({string.Join("; ", differences)}). " +
                "Resume with the same settings, or start a new run with another output folder or tag (or delete the checkpoint).");
    }

    static byte[] RandomGeneratorState()
    {
        using var state = torch.get_rng_state();
        return state.data<byte>().ToArray();
    }

    static TimeSpan Remaining(Stopwatch runClock, int epochsDone, int epochsLeft)
    {
        double perEpoch = epochsDone > 0 ? runClock.Elapsed.TotalSeconds / epochsDone : 0;
        return TimeSpan.FromSeconds(perEpoch * epochsLeft);
    }

    static Checkpoint.Header HeaderFor(TrainerOptions options, int epoch, double valAccuracy, nn.Module model, TrainerState state) =>
        new(options.ModelName, epoch, valAccuracy, Checkpoint.Shapes(model), state, options.RunIdentity);

    static Dictionary<string, Tensor> WeightsOf(string checkpoint, nn.Module<Tensor, Tensor> model)
    {
        var current = ModelState.Copy(model);
        Checkpoint.Load(checkpoint, model);
        var best = ModelState.Copy(model);
        ModelState.Restore(model, current);
        ModelState.Dispose(current);
        return best;
    }
}
