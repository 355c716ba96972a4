namespace CnnSentinel.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="History">One record per epoch, including epochs done before a resume.</param>
/// <param name="BestEpoch">1-based epoch with the best validation accuracy.</param>
/// <param name="BestValidationAccuracy">That accuracy.</param>
/// <param name="StoppedEarly">True when early stopping ended the run.</param>
/// <param name="ResumedFromEpoch">Epochs a previous run had completed (0 for a fresh run).</param>
/// <param name="BestCheckpoint">Path of the best checkpoint, when checkpointing.</param>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, int BestEpoch, double BestValidationAccuracy,
    bool StoppedEarly, int ResumedFromEpoch, string? BestCheckpoint);
