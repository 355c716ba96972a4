using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Runtime;

/// <summary>
/// Where models run: the CPU (the default everywhere), or a CUDA GPU where TorchSharp's CUDA runtime is installed and a GPU
/// is visible. Loaders make CPU tensors; training, evaluation and scene classification move the model and each batch here.
/// </summary>
public static class ComputeDevice
{
    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public const string Names = "cpu, cuda, cuda:<index> or auto (cuda where available, else cpu)";

    /// <summary>The device a command-line name means, checked to be available.</summary>
    /// <exception cref="UserErrorException">The name is unknown, or names a device this machine does not have; the message says which.</exception>
    public static Device Parse(string name)
    {
        var text = name.Trim().ToLowerInvariant();
        if (text == "auto") return cuda.is_available() ? new Device(DeviceType.CUDA, 0) : CPU;
        var device = text switch
        {
            "cpu" => CPU,
            "cuda" => new Device(DeviceType.CUDA, 0),
            _ when text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text[5..], out int index) && index >= 0 => new Device(DeviceType.CUDA, index),
            _ => throw new UserErrorException($"--device {name}: give {Names}."),
        };
        return Require(device);
    }

    /// <summary>Returns <paramref name="device"/> when this machine can compute on it.</summary>
    /// <exception cref="UserErrorException">It is neither the CPU nor an available CUDA GPU; the message says why.</exception>
    internal static Device Require(Device device)
    {
        if (device.type == DeviceType.CPU) return device;
        if (device.type != DeviceType.CUDA) throw new UserErrorException($"Device {device}: only the CPU and CUDA GPUs are supported.");
        if (!cuda.is_available())
            throw new UserErrorException($"Device {device}: CUDA is not available here (TorchSharp's CUDA runtime is not installed or no GPU is visible); use the CPU.");
        if (device.index >= cuda.device_count())
            throw new UserErrorException($"Device {device}: this machine has {cuda.device_count()} CUDA GPU(s), numbered from 0.");
        return device;
    }

    /// <summary>Moves <paramref name="model"/>'s parameters and buffers to <paramref name="device"/>, unless they are all there already.</summary>
    /// <remarks>Move a model before creating its optimiser: the optimiser holds the tensors it was given.</remarks>
    internal static void MoveTo(nn.Module model, Device device)
    {
        if (!model.parameters().Concat(model.buffers()).All(t => IsOn(t, device))) model.to(device);
    }

    /// <summary><paramref name="tensor"/> itself when it is on <paramref name="device"/>, otherwise a copy there.</summary>
    internal static Tensor On(Tensor tensor, Device device) => IsOn(tensor, device) ? tensor : tensor.to(device);

    /// <summary>Whether <paramref name="tensor"/> is on <paramref name="device"/> (any GPU index for a device without one).</summary>
    internal static bool IsOn(Tensor tensor, Device device) =>
        tensor.device_type == device.type && (device.type == DeviceType.CPU || device.index < 0 || tensor.device_index == device.index);
}
