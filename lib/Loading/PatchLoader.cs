using System.Collections.Concurrent;
using CnnSentinel.Datasets;
using CnnSentinel.Randomness;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Loading;

/// <summary>
/// Turns patch files into batches of normalised, augmented tensors, decoding several batches ahead on
/// worker threads so that training does not wait for files.
/// </summary>
/// <remarks>
/// <para>Deterministic: the order of an epoch is a <see cref="SplitMix64"/> shuffle seeded by (seed, epoch),
/// and each image's augmentation is drawn from its own stream seeded by (seed, epoch, batch, position). A
/// batch depends on nothing else, so the same seed gives identical batches whatever the thread timing or the
/// prefetch depth. Batches come out in order.</para>
/// <para>With <see cref="LoaderOptions.Context"/>, images are then shown among other augmented images of their batch
/// (<see cref="ContextMosaic"/>), placements drawn the same way from their own streams.</para>
/// <para>A damaged file stops the epoch with an <see cref="InvalidPatchException"/> naming it.</para>
/// </remarks>
public sealed class PatchLoader : ITrainingData
{
    readonly EuroSatDataset _dataset;
    readonly IReadOnlyList<EuroSatSample> _samples;
    readonly ChannelNormalization _normalization;
    readonly ConcurrentDictionary<string, ushort[]>? _cache;

    /// <summary>Names the stream of the context placements beside the augmentations' (both derived from the batch's seed).</summary>
    const string ContextStream = "context";

    /// <summary>Names the stream of the radiometric draws (<see cref="LoaderOptions.Radiometric"/>).</summary>
    const string RadiometricStream = "radiometric";

    /// <summary>A loader over <paramref name="samples"/> (e.g. one side of a split) of <paramref name="dataset"/>.</summary>
    public PatchLoader(EuroSatDataset dataset, IReadOnlyList<EuroSatSample>? samples = null, LoaderOptions? options = null)
    {
        _dataset = dataset;
        _samples = samples ?? dataset.Samples;
        Options = options ?? LoaderOptions.Training;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.BatchSize);
        _normalization = Options.Normalization ?? ChannelNormalization.OriginalFor(dataset.Format);
        if (_normalization.Bands != dataset.BandCount)
            throw new UserErrorException($"the normalisation has {_normalization.Bands} bands, the dataset {dataset.BandCount}");
        if (Options.Radiometric is { } jitter && jitter.Bands != dataset.BandCount)
            throw new UserErrorException($"the radiometric jitter has {jitter.Bands} bands, the dataset {dataset.BandCount}");
        if (Options.CacheDecoded) _cache = new ConcurrentDictionary<string, ushort[]>(StringComparer.Ordinal);
    }

    /// <summary>The settings.</summary>
    public LoaderOptions Options { get; }

    /// <summary>Number of images per epoch.</summary>
    public int Count => _samples.Count;

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => Options.DropLast ? Count / Options.BatchSize : (Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The order of the images in <paramref name="epoch"/>.</summary>
    public IReadOnlyList<EuroSatSample> Order(int epoch)
    {
        var order = _samples.ToList();
        if (Options.Shuffle) new SplitMix64(SplitMix64.Derive((ulong)Options.Seed, epoch)).Shuffle(order);
        return order;
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/>, in order, prepared <see cref="LoaderOptions.Prefetch"/> ahead.
    /// Leaving the loop early is fine: batches already prepared are disposed.
    /// </summary>
    public IEnumerable<PatchBatch> Epoch(int epoch = 0)
    {
        var order = Order(epoch);
        int batches = BatchesPerEpoch;
        int depth = Options.Prefetch > 0 ? Options.Prefetch : 2 * Environment.ProcessorCount;
        var pending = new Queue<Task<PatchBatch>>();
        int next = 0;
        Task<PatchBatch> Start(int index)
        {
            var planned = PlanBatch(order, epoch, index);
            return Task.Run(() => Build(planned, epoch, index));
        }
        try
        {
            while (next < batches && pending.Count < depth) pending.Enqueue(Start(next++));
            while (pending.Count > 0)
            {
                var batch = pending.Dequeue().GetAwaiter().GetResult();
                if (next < batches) pending.Enqueue(Start(next++));
                yield return batch;
            }
        }
        finally
        {
            foreach (var task in pending) DisposeWhenDone(task);
        }
    }

    /// <summary>The batches of <paramref name="epoch"/> for the trainer: images, class indices and file paths.</summary>
    /// <exception cref="InvalidOperationException">The loader gives one-hot labels; the trainer takes class indices.</exception>
    public IEnumerable<TrainingBatch> Batches(int epoch)
    {
        if (Options.Labels != LabelEncoding.Index)
            throw new InvalidOperationException("The trainer needs class-index labels: create the loader with LabelEncoding.Index.");
        return Epoch(epoch).Select(b => new TrainingBatch(b.Images, b.Labels, b.Paths));
    }

    /// <summary>
    /// What <see cref="Epoch"/> yields for <paramref name="epoch"/>, without decoding anything: each batch's files, in
    /// order, and each image's augmentation. Another implementation (e.g. the PyTorch side of a benchmark) can
    /// reproduce the loader's batches from it.
    /// </summary>
    internal IReadOnlyList<PlannedBatch> Plan(int epoch)
    {
        var order = Order(epoch);
        return Enumerable.Range(0, BatchesPerEpoch).Select(index => PlanBatch(order, epoch, index)).ToList();
    }

    /// <summary>
    /// Each batch of <paramref name="epoch"/> as <see cref="Epoch"/> yields it, without decoding anything: its files, in
    /// order, and each image's flips and turns. Another implementation (e.g. the PyTorch side of a benchmark) can
    /// reproduce the loader's batches from it when the options draw no context and no radiometric change.
    /// </summary>
    public IReadOnlyList<(IReadOnlyList<EuroSatSample> Samples, IReadOnlyList<AugmentationChoice> Augmentations)> PlannedAugmentations(int epoch) =>
        Plan(epoch).Select(batch => (batch.Samples, batch.Augmentations)).ToList();

    PlannedBatch PlanBatch(IReadOnlyList<EuroSatSample> order, int epoch, int index)
    {
        int first = index * Options.BatchSize, count = Math.Min(Options.BatchSize, order.Count - first);
        var samples = Enumerable.Range(first, count).Select(i => order[i]).ToList();
        var batchSeed = SplitMix64.Derive((ulong)Options.Seed, epoch, index);
        var choices = Options.Augmentation?.Draw(batchSeed, count)
            ?? Enumerable.Repeat(AugmentationChoice.Identity, count).ToArray();
        var placements = Options.Context?.Draw(SplitMix64.Derive(batchSeed, ContextStream), count, EuroSatDataset.PatchSize);
        var radiometric = Options.Radiometric?.Draw(SplitMix64.Derive(batchSeed, RadiometricStream), count);
        return new PlannedBatch(samples, choices, placements, radiometric);
    }

    /// <summary>Decodes and augments one batch: everything it needs comes from its plan.</summary>
    PatchBatch Build(PlannedBatch planned, int epoch, int index)
    {
        var (samples, choices, placements, radiometric) = planned;
        int n = samples.Count, size = _dataset.BandCount * EuroSatDataset.PatchSize * EuroSatDataset.PatchSize;
        var values = new float[n * size];
        var normalised = Options.Augmentation is null ? null : new float[size];
        var changed = radiometric is null ? null : new float[size];
        for (int i = 0; i < n; i++)
        {
            var image = values.AsSpan(i * size, size);
            var target = normalised ?? image;
            if (radiometric?[i] is { Applied: true } draw)
            {
                Options.Radiometric!.Apply(Decode(samples[i]), changed!, draw);
                _normalization.Apply(changed, target);
            }
            else
                _normalization.Apply(Decode(samples[i]), target);
            if (normalised is not null)
                PatchWarp.Apply(normalised, image, _dataset.BandCount, EuroSatDataset.PatchSize, EuroSatDataset.PatchSize, choices[i]);
        }
        if (placements is not null && placements.Any(p => p.HasNeighbours))
        {
            // Neighbours are taken from the augmented patches as they were before any image got its own.
            var whole = (float[])values.Clone();
            for (int i = 0; i < n; i++)
                if (placements[i].HasNeighbours)
                    ContextMosaic.Apply(whole, values.AsSpan(i * size, size), i, placements[i], _dataset.BandCount, EuroSatDataset.PatchSize);
        }

        using var scope = NewDisposeScope();
        var images = tensor(values, [n, _dataset.BandCount, EuroSatDataset.PatchSize, EuroSatDataset.PatchSize]);
        var classes = tensor(samples.Select(s => (long)s.ClassIndex).ToArray());
        var labels = Options.Labels == LabelEncoding.Index
            ? classes
            : nn.functional.one_hot(classes, _dataset.Classes.Count).to_type(ScalarType.Float32);
        return new PatchBatch(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), samples, choices, epoch, index);
    }

    ushort[] Decode(EuroSatSample sample) =>
        _cache is null ? _dataset.Read(sample) : _cache.GetOrAdd(sample.RelativePath, _ => _dataset.Read(sample));

    static void DisposeWhenDone(Task<PatchBatch> task)
    {
        // The consumer stopped early or an earlier batch failed: free what was prepared. A failure of a batch
        // nobody will read is not reported; the one that ended the epoch already was.
        task.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default);
    }
}

/// <summary>One batch as <see cref="PatchLoader.Plan"/> describes it.</summary>
/// <param name="Samples">The files, in batch order.</param>
/// <param name="Augmentations">Each image's augmentation (identity without augmentation).</param>
/// <param name="Placements">Each image's window among its neighbours (<see cref="LoaderOptions.Context"/>); null without.</param>
/// <param name="Radiometric">Each image's radiometric change (<see cref="LoaderOptions.Radiometric"/>); null without.</param>
internal sealed record PlannedBatch(IReadOnlyList<EuroSatSample> Samples, IReadOnlyList<AugmentationChoice> Augmentations,
    IReadOnlyList<ContextPlacement>? Placements = null, IReadOnlyList<RadiometricDraw>? Radiometric = null);
