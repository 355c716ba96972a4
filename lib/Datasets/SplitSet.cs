namespace CnnSentinel.Datasets;

/// <summary>Which part of a split a patch belongs to.</summary>
public enum SplitSet
{
    /// <summary>Used to fit the model (written <c>train</c> in a manifest).</summary>
    Train,

    /// <summary>Held out to measure it (written <c>validation</c>).</summary>
    Validation,
}
