namespace CnnSentinel.Loading;

/// <summary>
/// A source of batches that the trainer can replay: the batches of an epoch must be a function of
/// the data's seed and the epoch number only, so that a resumed run sees exactly what an
/// uninterrupted one saw.
/// </summary>
public interface ITrainingData
{
    /// <summary>Number of samples in one pass over the data.</summary>
    int Count { get; }

    /// <summary>Number of batches <see cref="Batches"/> yields per epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of <paramref name="epoch"/> (0-based); deterministic for a given epoch.</summary>
    IEnumerable<TrainingBatch> Batches(int epoch);
}
