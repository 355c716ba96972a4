namespace CnnSentinel.Training;

/// <summary>What one epoch of training reached.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch (with augmentation, as trained).</param>
/// <param name="ValidationLoss">Validation loss after the epoch.</param>
/// <param name="ValidationAccuracy">Validation accuracy after the epoch.</param>
/// <param name="LearningRate">The learning rate of the epoch's first step (schedules that change every step, such as a warm-up, move on from it).</param>
/// <param name="Seconds">Wall time of the epoch including validation.</param>
/// <param name="Images">Training images seen in the epoch.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double Seconds, long Images);
