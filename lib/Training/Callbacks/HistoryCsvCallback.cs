namespace CnnSentinel.Training.Callbacks;

/// <summary>Writes the run's history to the CSV file <paramref name="path"/> after every epoch (<see cref="TrainerCallback.HistoryCsv"/>).</summary>
internal sealed class HistoryCsvCallback(string path) : TrainerCallback
{
    /// <inheritdoc />
    public override void OnFitStart(TrainingContext context)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context) => TrainingHistory.WriteCsv(path, context.History);
}
