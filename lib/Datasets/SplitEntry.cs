namespace CnnSentinel.Datasets;

/// <summary>One row of a split manifest: a patch and the part of the split it belongs to.</summary>
public sealed record SplitEntry(EuroSatSample Sample, SplitSet Split);
