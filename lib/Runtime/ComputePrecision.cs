namespace CnnSentinel.Runtime;

/// <summary>
/// The number format a network computes in: when it classifies (<see cref="Scenes.SceneClassifierOptions.Precision"/>), is
/// evaluated, or trains (<see cref="Training.TrainerOptions.Precision"/>: bfloat16 layers, float32 masters of the weights).
/// </summary>
public enum ComputePrecision
{
    /// <summary>32-bit floats: the network as trained, the reference.</summary>
    Float32,

    /// <summary>
    /// bfloat16 (float32's range, 8 bits of mantissa): weights, activations and batch-norm statistics converted once,
    /// probabilities returned as float32. On a CPU with bfloat16 instructions (AVX-512 BF16, AMX) oneDNN runs the
    /// convolutions several times faster; elsewhere it is emulated and slower, so <see cref="CpuPrecision.Resolve"/>
    /// falls back to float32 there and says so.
    /// </summary>
    BFloat16,
}
