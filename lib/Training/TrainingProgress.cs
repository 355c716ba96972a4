namespace CnnSentinel.Training;

/// <summary>Where a training run stands; reported after every step and at the end of every epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="Steps">Steps in an epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Training accuracy so far in this epoch.</param>
/// <param name="ImagesPerSecond">Training throughput in this epoch.</param>
/// <param name="Remaining">Estimated time to the end of the run.</param>
/// <param name="Completed">The finished epoch's record, at the end of an epoch; otherwise null.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double Accuracy,
    double ImagesPerSecond, TimeSpan Remaining, EpochRecord? Completed = null);
