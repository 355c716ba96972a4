using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Training.Optimizers;

/// <summary>The moment update and parameter step that Adam and AdamW share (PyTorch's single-tensor Adam).</summary>
static class AdamUpdate
{
    /// <summary>Updates the moments of one parameter with <paramref name="grad"/> and steps the parameter.</summary>
    public static void Apply(Tensor param, Tensor grad, ref long step, Tensor expAvg, Tensor expAvgSq, ref Tensor? maxExpAvgSq,
        double lr, double beta1, double beta2, double eps, bool amsgrad, HeldScalars held)
    {
        step += 1;
        double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
        expAvg.mul_(held.Of(beta1)).add_(grad, held.Of(1 - beta1));
        expAvgSq.mul_(held.Of(beta2)).addcmul_(grad, grad, held.Of(1 - beta2));
        var second = expAvgSq;
        if (amsgrad)
        {
            var previous = maxExpAvgSq!;
            maxExpAvgSq = maximum(previous, expAvgSq).DetachFromDisposeScope();
            previous.Dispose();
            second = maxExpAvgSq;
        }
        var denominator = second.sqrt().div_(held.Of(Math.Sqrt(correction2))).add_(held.Of(eps), HeldScalars.One);
        param.addcdiv_(expAvg, denominator, held.Of(-lr / correction1));
    }
}
