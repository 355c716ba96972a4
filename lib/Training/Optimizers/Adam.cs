using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training.Optimizers;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.Adam"/>, under the same name so that checkpoints load either way (same options, state and checkpoint format, PyTorch's arithmetic) with a
/// step that keeps every scalar it hands libtorch alive (<see cref="HeldScalars"/>).
/// </summary>
internal sealed class Adam : TorchSharp.Modules.Adam
{
    /// <summary>Creates the optimiser; the arguments are PyTorch's.</summary>
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : base(parameters, lr, beta1, beta2, eps, weight_decay) { }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double decay = options.weight_decay!.Value;
        using var held = new HeldScalars();
        foreach (var (param, grad) in Gradients.Of(group.Parameters, options.maximize!.Value, decay, held))
        {
            var state = (State)_state[param.Handle];
            AdamUpdate.Apply(param, grad, ref state.step, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq,
                options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.amsgrad!.Value, held);
        }
    }, closure);
}
