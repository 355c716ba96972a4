namespace CnnSentinel.Loading;

/// <summary>How a batch carries its labels.</summary>
public enum LabelEncoding
{
    /// <summary>Class indices, int64 <c>[N]</c> (for cross-entropy on logits).</summary>
    Index,

    /// <summary>One-hot rows, float32 <c>[N, classes]</c> (the original's Keras <c>to_categorical</c>).</summary>
    OneHot,
}
