namespace CnnSentinel.Training.Callbacks;

/// <summary>Reports every step and every finished epoch to <paramref name="progress"/> (<see cref="TrainerCallback.ReportProgress"/>).</summary>
internal sealed class ProgressCallback(IProgress<TrainingProgress> progress) : TrainerCallback
{
    /// <inheritdoc />
    public override void OnStepEnd(TrainingContext context, TrainingProgress step) => progress.Report(step);

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context) => progress.Report(context.EpochProgress!);
}
