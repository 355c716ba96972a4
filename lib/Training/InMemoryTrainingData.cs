using CnnSentinel.Loading;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// Training data held as two tensors, shuffled per epoch with a generator seeded from
/// (<paramref name="seed"/>, epoch) so every epoch's order is reproducible.
/// </summary>
/// <param name="inputs">Inputs, [N, …].</param>
/// <param name="labels">Class indices, [N], int64.</param>
/// <param name="batchSize">Samples per batch; the last batch of an epoch may be smaller.</param>
/// <param name="shuffle">Shuffle every epoch (training) or keep the order (evaluation).</param>
/// <param name="seed">Seed of the shuffles.</param>
/// <param name="keys">Optional key (e.g. file name) per sample, passed along with the batches.</param>
public sealed class InMemoryTrainingData(Tensor inputs, Tensor labels, int batchSize, bool shuffle = true, long seed = 42,
    IReadOnlyList<string>? keys = null) : ITrainingData
{
    /// <inheritdoc />
    public int Count { get; } = inputs.shape[0] == labels.shape[0]
        ? (int)inputs.shape[0]
        : throw new ArgumentException($"{inputs.shape[0]} inputs but {labels.shape[0]} labels.");

    readonly IReadOnlyList<string>? _keys = keys is null || keys.Count == inputs.shape[0]
        ? keys
        : throw new ArgumentException($"{inputs.shape[0]} inputs but {keys.Count} keys.");

    /// <inheritdoc />
    public int BatchesPerEpoch => (Count + batchSize - 1) / batchSize;

    /// <inheritdoc />
    public IEnumerable<TrainingBatch> Batches(int epoch)
    {
        Tensor order;
        if (shuffle)
        {
            using var generator = new Generator((ulong)(seed * 1_000_003 + epoch));
            order = randperm(Count, generator: generator);
        }
        else order = arange(Count);
        using (order)
        {
            for (int start = 0; start < Count; start += batchSize)
            {
                using var index = order.narrow(0, start, Math.Min(batchSize, Count - start));
                var batchKeys = _keys is null ? null : index.data<long>().Select(i => _keys[(int)i]).ToList();
                yield return new TrainingBatch(inputs.index_select(0, index), labels.index_select(0, index), batchKeys);
            }
        }
    }
}
