namespace CnnSentinel.Training.Callbacks;

/// <summary>Stops the run after <paramref name="patience"/> epochs without a better validation accuracy (<see cref="TrainerCallback.EarlyStopping"/>).</summary>
internal sealed class EarlyStoppingCallback(int patience) : TrainerCallback
{
    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (context.EpochsWithoutImprovement >= patience) context.RequestStop();
    }
}
