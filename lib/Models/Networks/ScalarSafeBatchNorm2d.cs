using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// 2-D batch normalisation with torchvision's state-dict names (<c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c>, <c>num_batches_tracked</c>) and PyTorch's arithmetic, whose training-mode update passes
/// libtorch only scalars that this module keeps alive. Every builder of the library uses it instead of
/// <c>nn.BatchNorm2d</c>.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>BatchNorm.forward</c> counts batches with <c>num_batches_tracked.add_(1)</c>: two
/// temporary <see cref="Scalar"/>s that a collection on another thread can free while libtorch reads them
/// (see <see cref="HeldScalars"/>). Fine-tuning with batch norms in training mode aborted the process that way,
/// at a random step. Here both are <see cref="HeldScalars.One"/>, alive for the whole process.
/// </remarks>
internal sealed class ScalarSafeBatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer (PyTorch's defaults: epsilon 1e-5, momentum 0.1, affine, tracking running statistics).</summary>
    /// <param name="features">Channels normalised.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Weight of the newest batch in the running statistics; null for a cumulative average.</param>
    public ScalarSafeBatchNorm2d(long features, double eps = 1e-5, double? momentum = 0.1)
        : base(features, eps, momentum ?? 0, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
        this.momentum = momentum;
    }

    /// <inheritdoc />
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"BatchNorm2d expects a batch N × C × H × W; got {input.ndim} dimensions.", nameof(input));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double factor = momentum ?? 0;
        if (training && num_batches_tracked is { } count)
        {
            count.add_(HeldScalars.One, HeldScalars.One);
            if (momentum is null) factor = 1.0 / count.item<long>();
        }
        // Evaluation uses the running statistics; training normalises by the batch's own and updates them.
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, factor, eps);
    }
}
