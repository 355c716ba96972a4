using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>The mean over height and width, N × C × H × W → N × C: the pooling between <see cref="PooledCnn"/>'s features and head.</summary>
internal sealed class GlobalAveragePooling() : ParameterLessModule<Tensor, Tensor>(nameof(GlobalAveragePooling))
{
    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.mean([2, 3]);
}
