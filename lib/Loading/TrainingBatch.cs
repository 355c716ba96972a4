using static TorchSharp.torch;

namespace CnnSentinel.Loading;

/// <summary>One batch for training or evaluation. Whoever consumes it disposes it.</summary>
/// <param name="Inputs">Images, [N, C, H, W], normalised.</param>
/// <param name="Labels">Class indices, [N], int64.</param>
/// <param name="Keys">What each sample is (usually its file name), so predictions stay aligned with their source.</param>
public sealed record TrainingBatch(Tensor Inputs, Tensor Labels, IReadOnlyList<string>? Keys = null) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}
