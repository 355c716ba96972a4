using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training.Optimizers;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.AdamW"/>, under the same name so that checkpoints load either way (same options, state and checkpoint format, PyTorch's arithmetic) with a
/// step that keeps every scalar it hands libtorch alive (<see cref="HeldScalars"/>).
/// </summary>
internal sealed class AdamW : TorchSharp.Modules.AdamW
{
    /// <summary>Creates the optimiser; the arguments are PyTorch's.</summary>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 1e-2)
        : base(parameters, lr, beta1, beta2, eps, weight_decay) { }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var lr = options.LearningRate!.Value;
        using var held = new HeldScalars();
        foreach (var (param, grad) in Gradients.Of(group.Parameters, options.maximize!.Value, l2Decay: 0, held))
        {
            param.mul_(held.Of(1 - lr * options.weight_decay!.Value));
            var state = (State)_state[param.Handle];
            AdamUpdate.Apply(param, grad, ref state.step, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq,
                lr, options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.amsgrad!.Value, held);
        }
    }, closure);
}
