using static TorchSharp.torch;

namespace CnnSentinel.Training.Callbacks;

/// <summary>
/// Resumes from the run's last checkpoint in <paramref name="directory"/>, and after every epoch writes the last checkpoint
/// (and the best one, when validation accuracy improved) there (<see cref="TrainerCallback.Checkpoints"/>).
/// </summary>
/// <remarks>
/// A checkpoint holds model, optimiser, schedule and torch's random generator state after a whole epoch; it is written
/// atomically, so a kill at any moment leaves the previous one intact and the killed epoch is replayed from its start.
/// </remarks>
internal sealed class CheckpointCallback(string directory) : TrainerCallback
{
    /// <inheritdoc />
    public override void OnFitStart(TrainingContext context)
    {
        Directory.CreateDirectory(directory);
        var last = Path.Combine(directory, context.Options.LastCheckpointName);
        if (!File.Exists(last)) return;
        CheckSameRun(last, Checkpoint.ReadHeader(last).Identity, context.Options.RunIdentity);
        var state = Checkpoint.Load(last, context.Model, context.Optimizer).Trainer;
        context.Options.Schedule.State = state.Schedule;
        if (state.RandomState.Length > 0)
        {
            using var saved = tensor(state.RandomState);
            set_rng_state(saved);
        }
        context.State = state;
        context.BestCheckpoint = state.BestCheckpoint is { } best ? Path.Combine(directory, best) : null;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (context.Improved)
        {
            var previous = context.State.BestCheckpoint;
            var name = context.Options.BestCheckpointName(context.Epoch, context.LastEpoch!.ValidationAccuracy);
            context.State = context.State with { BestCheckpoint = name };
            Checkpoint.Save(Path.Combine(directory, name), context.Model, context.Optimizer, HeaderOf(context));
            if (previous is not null && previous != name) File.Delete(Path.Combine(directory, previous));
            context.BestCheckpoint = Path.Combine(directory, name);
        }
        Checkpoint.Save(Path.Combine(directory, context.Options.LastCheckpointName), context.Model, context.Optimizer, HeaderOf(context));
    }

    static Checkpoint.Header HeaderOf(TrainingContext context) =>
        new(context.Options.ModelName, context.Epoch, context.LastEpoch!.ValidationAccuracy, Checkpoint.Shapes(context.Model), context.State,
            context.Options.RunIdentity);

    /// <summary>Refuses to resume a checkpoint written by a run with other settings.</summary>
    /// <exception cref="UserErrorException">A setting differs; the message names it, both values and the checkpoint.</exception>
    static void CheckSameRun(string checkpoint, IReadOnlyDictionary<string, string>? saved, IReadOnlyDictionary<string, string>? current)
    {
        if (saved is null || current is null) return;
        var differences = current.Keys.Union(saved.Keys).Order(StringComparer.Ordinal)
            .Where(k => saved.GetValueOrDefault(k) != current.GetValueOrDefault(k))
            .Select(k => $"{k} was {saved.GetValueOrDefault(k) ?? "(not set)"}, now {current.GetValueOrDefault(k) ?? "(not set)"}")
            .ToList();
        if (differences.Count > 0)
            throw new UserErrorException($"{checkpoint} belongs to a run with other settings ({string.Join("; ", differences)}). " +
                "Resume with the same settings, or start a new run with another output folder or tag (or delete the checkpoint).");
    }
}
