namespace CnnSentinel.Training;

/// <summary>The trainer's own state, saved in every checkpoint so that a run can resume exactly.</summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="History">One record per completed epoch.</param>
/// <param name="Schedule">The learning-rate schedule's state.</param>
/// <param name="BestValidationAccuracy">Best validation accuracy so far.</param>
/// <param name="BestEpoch">Epoch (1-based) that reached it; 0 before the first epoch.</param>
/// <param name="EpochsWithoutImprovement">For early stopping.</param>
/// <param name="BestCheckpoint">File name of the best checkpoint, beside the last one; null when not checkpointing.</param>
/// <param name="RandomState">torch's CPU random generator state after the epoch (dropout and other random layers).</param>
internal sealed record TrainerState(
    int Epoch,
    List<EpochRecord> History,
    LearningRateSchedule.PlateauState Schedule,
    double BestValidationAccuracy,
    int BestEpoch,
    int EpochsWithoutImprovement,
    string? BestCheckpoint,
    byte[] RandomState);
