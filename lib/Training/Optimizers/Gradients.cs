using CnnSentinel.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training.Optimizers;

/// <summary>The gradients an optimiser step works on, prepared as PyTorch's optimisers prepare them.</summary>
static class Gradients
{
    /// <summary>
    /// Each parameter that has a gradient, with its gradient: negated when maximising, plus
    /// <paramref name="l2Decay"/> × the parameter for L2 weight decay (0 for none, as AdamW, whose decay is decoupled).
    /// </summary>
    public static IEnumerable<(Parameter Param, Tensor Grad)> Of(IEnumerable<Parameter> parameters, bool maximize, double l2Decay, HeldScalars held)
    {
        foreach (var param in parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = grad.neg();
            if (l2Decay != 0) grad = grad.add(param, held.Of(l2Decay));
            yield return (param, grad);
        }
    }
}
