using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Rounds a layer weight to int8, symmetric, one scale per output channel: value ≈ scale × q with q in −127…127 and
/// zero point 0, the scale of each channel chosen to make that channel's squared rounding error smallest.
/// </summary>
/// <remarks>
/// One scale per output channel because the channels of a trained convolution differ in range by orders of magnitude; a
/// per-tensor scale would round the small ones to zero. The obvious scale, the channel's largest magnitude over 127,
/// spends the 255 steps on the one or two largest weights; a smaller scale clips those a little and rounds the many
/// small ones more finely. The scale is searched among <see cref="ClipFractions"/> of the largest magnitude (the usual
/// MSE calibration of weights). On the shipped ResNet18 (first convolution kept apart, see
/// <see cref="OnnxGraphWriter.LayerWeight"/>) it cut the mosaic pixels labelled otherwise than by float32 by 13 %
/// against the largest-magnitude scale; applied to the first convolution too, it nearly doubled them, which is one reason
/// that layer is not rounded to int8 at all.
/// </remarks>
internal static class Int8Rounding
{
    /// <summary>The largest int8 step used (symmetric, so −127…127; −128 stays unused).</summary>
    public const int Steps = 127;

    /// <summary>The fractions of a channel's largest magnitude tried as its clipping point: 1, 0.995, …, 0.5.</summary>
    public static IReadOnlyList<double> ClipFractions { get; } = [.. Enumerable.Range(0, 101).Select(k => 1 - k * 0.005)];

    /// <summary>
    /// The int8 values (the weight's shape) and the float32 scale of each output channel (dimension 0) of
    /// <paramref name="weight"/>, a float32 tensor on the CPU.
    /// </summary>
    public static (Tensor Values, Tensor Scales) PerOutputChannel(Tensor weight)
    {
        using var scope = NewDisposeScope();
        var channels = weight.shape[0];
        var rows = weight.reshape(channels, -1);
        var peak = rows.abs().amax([1L]);
        // A channel of zeros gets scale 1: its values round to 0 whatever the scale, and nothing is divided by zero.
        var largest = torch.where(peak > 0, peak / Steps, torch.ones_like(peak));
        var best = largest.clone();
        var bestError = torch.full_like(peak, double.PositiveInfinity);
        foreach (var fraction in ClipFractions)
        {
            using var inner = NewDisposeScope();
            var scale = largest * fraction;
            var error = (Round(rows, scale.unsqueeze(1)) * scale.unsqueeze(1) - rows).square().sum([1L]);
            var better = error < bestError; // strictly: among equal errors the larger scale, the first tried, stays
            best.copy_(torch.where(better, scale, best));
            bestError.copy_(torch.where(better, error, bestError));
        }
        var values = Round(rows, best.unsqueeze(1)).to(ScalarType.Int8).reshape(weight.shape);
        return (values.MoveToOuterDisposeScope(), best.MoveToOuterDisposeScope());
    }

    static Tensor Round(Tensor rows, Tensor scale) => (rows / scale).round().clamp(-Steps, Steps);
}
