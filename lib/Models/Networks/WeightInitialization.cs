using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>torchvision's initialisation for training from scratch (TorchSharp's defaults differ).</summary>
static class WeightInitialization
{
    /// <summary>
    /// He-normal (fan-out, ReLU) convolution weights and zero biases, unit scale and zero shift for batch
    /// norm, zero biases for linear layers; linear weights keep PyTorch's default.
    /// </summary>
    public static void ApplyTorchVisionDefaults(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    if (conv.bias is not null) nn.init.zeros_(conv.bias);
                    break;
                case BatchNorm norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
                case Linear linear:
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
            }
        }
    }
}
