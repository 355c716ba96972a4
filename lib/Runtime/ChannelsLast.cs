using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Runtime;

/// <summary>
/// The channels-last memory layout (N, H, W, C in memory for an N × C × H × W tensor) for bfloat16 on the CPU, where
/// oneDNN's convolutions inside libtorch run fastest: given a channels-last input they compute in it and hand it on, so
/// one conversion of the input carries through a network (batch norms, activations, additions and pooling keep it).
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107 exposes no <c>memory_format</c>, but libtorch reads the layout from a tensor's strides: an
/// image batch permuted to N, H, W, C, made contiguous and permuted back has exactly the strides of
/// <c>torch.channels_last</c>. Shape and values stay the same; only the order of the sums inside the convolutions
/// changes.</para>
/// <para>Measured on the 2-core development machine (ResNet18, 64 × 64, best of alternating rounds): bfloat16 inference
/// 1.3× faster from channels-last inputs; bfloat16 training steps 1.25× when the convolution weights are laid out
/// channels-last too (the inputs alone give 1.07×).</para>
/// <para>bfloat16 only (<see cref="ForConvolutions"/>), and only for networks whose every convolution shape has been
/// checked (<c>ImageClassifier.ComputesChannelsLast</c>: ResNet18). This libtorch's float32 channels-last 1 × 1
/// convolutions to 512 channels or more, stride 1 or 2, compute wrong values, off by 40–85 % of the output's range
/// (ResNet18's last shortcut is one); a 1 × 1 convolution from 256 to 1024 channels (ResNet50's) kills the process with a
/// floating-point exception, in float32 and in bfloat16. Its bfloat16 convolutions of every ResNet18 shape match float64
/// as closely in either layout, forward and backward. Float32 gains 1.3× in inference too, but not at that price.</para>
/// </remarks>
internal static class ChannelsLast
{
    /// <summary>
    /// <paramref name="images"/> laid out for the convolutions that read them: channels-last when they are a bfloat16
    /// batch on the CPU, as they are otherwise (see the remarks on float32).
    /// </summary>
    public static Tensor ForConvolutions(Tensor images) => images.dtype == ScalarType.BFloat16 ? Of(images) : images;

    /// <summary>
    /// <paramref name="images"/> (N × C × H × W) in the channels-last layout: a copy, or the tensor itself when it is
    /// already laid out so or is not a 4-D tensor on the CPU.
    /// </summary>
    public static Tensor Of(Tensor images) =>
        images.dim() == 4 && images.device_type == DeviceType.CPU && !Has(images)
            ? images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
            : images;

    /// <summary>Whether <paramref name="tensor"/> (4-D) has channels-last strides.</summary>
    public static bool Has(Tensor tensor)
    {
        if (tensor.dim() != 4) return false;
        var (shape, strides) = (tensor.shape, tensor.stride());
        long channels = shape[1], width = shape[3];
        return strides[1] == 1 && strides[3] == channels && strides[2] == channels * width && strides[0] == channels * width * shape[2];
    }

    /// <summary>
    /// Lays every 2-D convolution weight of <paramref name="model"/> out channels-last, in place (the parameter objects
    /// stay, so an optimiser holding them still does). Undo with <see cref="RestoreWeights"/> before the weights are
    /// saved: TorchSharp writes contiguous tensors only.
    /// </summary>
    public static void ApplyToWeights(nn.Module model) => Relayout(model, Of);

    /// <summary>Puts every 2-D convolution weight of <paramref name="model"/> back in the standard (contiguous) layout, in place.</summary>
    public static void RestoreWeights(nn.Module model) => Relayout(model, weight => weight.contiguous());

    static void Relayout(nn.Module model, Func<Tensor, Tensor> layout)
    {
        using var noGrad = no_grad();
        foreach (var conv in model.modules().OfType<Conv2d>())
        {
            if (conv.weight is not { } weight) continue;
            using var scope = NewDisposeScope();
            // set_ takes the storage and strides into the same parameter (the same ones where the layout was already right).
            weight.set_(layout(weight.detach()));
        }
    }
}
