using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training.Optimizers;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.SGD"/>, under the same name so that checkpoints load either way (same options, state and checkpoint format, same arithmetic as PyTorch's
/// SGD) with a step that keeps every scalar it hands libtorch alive (<see cref="HeldScalars"/>).
/// </summary>
internal sealed class SGD : TorchSharp.Modules.SGD
{
    /// <summary>Creates the optimiser; the arguments are PyTorch's.</summary>
    public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
        : base(parameters, lr, momentum, dampening, weight_decay, nesterov) { }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, decay = options.weight_decay!.Value;
        bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
        using var held = new HeldScalars();
        foreach (var (param, gradient) in Gradients.Of(group.Parameters, maximize, decay, held))
        {
            var grad = gradient;
            if (momentum != 0)
            {
                var state = (State)_state[param.Handle];
                if (state.momentum_buffer is null)
                    state.momentum_buffer = grad.clone().detach().DetachFromDisposeScope();
                else
                    state.momentum_buffer.mul_(held.Of(momentum)).add_(grad, held.Of(1 - dampening));
                grad = nesterov ? grad.add(state.momentum_buffer, held.Of(momentum)) : state.momentum_buffer;
            }
            param.add_(grad, held.Of(-options.LearningRate!.Value));
        }
    }, closure);
}
