using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training.Optimizers;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.Adadelta"/>, under the same name so that checkpoints load either way (same options, state and checkpoint format, PyTorch's arithmetic) with a
/// step that keeps every scalar it hands libtorch alive (<see cref="HeldScalars"/>).
/// </summary>
internal sealed class Adadelta : TorchSharp.Modules.Adadelta
{
    /// <summary>Creates the optimiser; the arguments are PyTorch's.</summary>
    public Adadelta(IEnumerable<Parameter> parameters, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weight_decay = 0)
        : base(parameters, lr, rho, eps, weight_decay) { }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double rho = options.rho!.Value, eps = options.eps!.Value, decay = options.weight_decay!.Value;
        using var held = new HeldScalars();
        foreach (var (param, grad) in Gradients.Of(group.Parameters, options.maximize!.Value, decay, held))
        {
            var state = (State)_state[param.Handle];
            state.square_avg.mul_(held.Of(rho)).addcmul_(grad, grad, held.Of(1 - rho));
            var std = state.square_avg.add(held.Of(eps), HeldScalars.One).sqrt_();
            var delta = state.acc_delta.add(held.Of(eps), HeldScalars.One).sqrt_().div_(std).mul_(grad);
            param.add_(delta, held.Of(-options.LearningRate!.Value));
            state.acc_delta.mul_(held.Of(rho)).addcmul_(delta, delta, held.Of(1 - rho));
        }
    }, closure);
}
