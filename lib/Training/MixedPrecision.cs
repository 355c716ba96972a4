using CnnSentinel.Models;
using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// bfloat16 mixed precision for <see cref="Trainer.Fit"/>, by hand since TorchSharp 0.107 has no autocast: during an
/// epoch's optimiser steps every layer except the batch norms computes in bfloat16 (convolutions and matrix products,
/// where oneDNN's bfloat16 kernels make the time), while the optimiser updates float32 master copies of the weights
/// and the batch norms keep float32 parameters and statistics (libtorch normalises bfloat16 activations with them).
/// Validation runs in bfloat16 too, before <see cref="LeaveSteps"/>. Outside them — callbacks, checkpoints, the best
/// weights — the model is float32 and holds exactly the masters, so a run resumes, and a model is saved, as in float32.
/// </summary>
/// <remarks>
/// Why masters: a bfloat16 weight keeps 8 bits of mantissa, so an update smaller than 1/256 of a weight would round
/// away. Why a whole model converted rather than a float32 model beside a bfloat16 twin: <see cref="Trainer.Fit"/>
/// takes any module and cannot build its twin. Converting a layer replaces its parameters (libtorch cannot change a
/// tensor's type in place), which is why the optimiser holds the masters, not the layer's parameters.
/// </remarks>
internal sealed class MixedPrecision : IDisposable
{
    readonly nn.Module _model;
    readonly IReadOnlyList<nn.Module> _reduced;
    readonly Dictionary<string, Parameter> _masters;
    readonly Dictionary<string, Tensor> _bufferMasters;
    bool _inReduced;

    /// <summary>Prepares <paramref name="model"/> (float32) for bfloat16 steps: float32 masters of what will be converted.</summary>
    /// <exception cref="NotSupportedException">A module holds parameters of its own beside sub-modules: which of its
    /// operations would compute in which type cannot be told, so its parameters could meet activations of the other type.</exception>
    public MixedPrecision(nn.Module model)
    {
        _model = model;
        // TorchSharp's named_modules leaves out the model itself, which may be a layer or hold parameters of its own.
        var modules = model.named_modules().Prepend((name: "", module: model)).ToList();
        var offending = modules.FirstOrDefault(m => m.module.children().Any() && m.module.named_parameters(recurse: false).Any());
        if (offending.module is not null)
            throw new NotSupportedException($"bfloat16 training converts a model layer by layer, but module '{offending.name}' ({offending.module.GetType().Name}) " +
                "has parameters of its own beside its sub-modules; train this model in float32.");
        // Leaves only: a converted container would convert its batch norms too.
        var leaves = modules.Where(m => !m.module.children().Any() && m.module is not BatchNorm).ToList();
        _reduced = [.. leaves.Select(m => m.module)];
        var owners = leaves.Select(m => m.name).ToHashSet();
        using var scope = NewDisposeScope();
        _masters = model.named_parameters().Where(p => OwnedBy(owners, p.name))
            .ToDictionary(p => p.name, p => new Parameter(p.parameter.detach().clone().DetachFromDisposeScope(), p.parameter.requires_grad));
        _bufferMasters = model.named_buffers().Where(b => OwnedBy(owners, b.name))
            .ToDictionary(b => b.name, b => b.buffer.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>
    /// What the optimiser updates: the trainable parameters of the model in their order, the float32 master standing in
    /// for each parameter of a converted layer.
    /// </summary>
    public IReadOnlyList<Parameter> OptimizedParameters() =>
        [.. _model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => _masters.TryGetValue(p.name, out var master) ? master : p.parameter)];

    /// <summary>Takes the model's current float32 weights as the masters (after a resume or any load into the model).</summary>
    public void TakeModelWeights()
    {
        if (_inReduced) throw new InvalidOperationException("The model is in bfloat16; its weights are not the masters' precision.");
        using var _ = no_grad();
        foreach (var (name, parameter) in _model.named_parameters())
            if (_masters.TryGetValue(name, out var master)) master.copy_(parameter);
        foreach (var (name, buffer) in _model.named_buffers())
            if (_bufferMasters.TryGetValue(name, out var master)) master.copy_(buffer);
    }

    /// <summary>
    /// Converts every layer but the batch norms to bfloat16, from the masters, for the steps of an epoch, the convolution
    /// weights laid out channels-last where the network computes so (<see cref="ImageClassifier.ComputesChannelsLast"/>;
    /// <see cref="ChannelsLast"/>: 1.25× faster steps here than the inputs alone).
    /// </summary>
    public void EnterSteps()
    {
        if (_inReduced) return;
        foreach (var module in _reduced) module.to(ScalarType.BFloat16);
        if (_model is ImageClassifier { ComputesChannelsLast: true }) ChannelsLast.ApplyToWeights(_model);
        _inReduced = true;
    }

    /// <summary>Converts back to float32, in the standard layout, and writes the masters into the model, exactly.</summary>
    public void LeaveSteps()
    {
        if (!_inReduced) return;
        ChannelsLast.RestoreWeights(_model);
        foreach (var module in _reduced) module.to(ScalarType.Float32);
        _inReduced = false;
        TakeMasters();
    }

    /// <summary>The batch's inputs in the type the model computes in now.</summary>
    public Tensor Inputs(Tensor inputs) => _inReduced ? inputs.to_type(ScalarType.BFloat16) : inputs;

    /// <summary>
    /// After the backward pass: each converted trainable layer's bfloat16 gradient, as float32, becomes its master's
    /// gradient (the batch norms' own parameters have float32 gradients already), and the layer's gradient is cleared.
    /// </summary>
    public void GradientsToMasters()
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in _model.named_parameters())
        {
            if (!parameter.requires_grad || !_masters.TryGetValue(name, out var master) || parameter.grad is not { } gradient) continue;
            if (master.grad is { } held) held.copy_(gradient);
            else master.grad = gradient.to_type(ScalarType.Float32).contiguous().DetachFromDisposeScope();
            gradient.zero_();
        }
    }

    /// <summary>After the optimiser's step: the converted layers take the updated masters, rounded to bfloat16.</summary>
    public void MastersToModel()
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in _model.named_parameters())
            if (parameter.requires_grad && _masters.TryGetValue(name, out var master)) parameter.copy_(master);
    }

    /// <summary>Writes every master, trainable or not, and the converted layers' buffers into the (float32) model.</summary>
    void TakeMasters()
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in _model.named_parameters())
            if (_masters.TryGetValue(name, out var master)) parameter.copy_(master);
        foreach (var (name, buffer) in _model.named_buffers())
            if (_bufferMasters.TryGetValue(name, out var master)) buffer.copy_(master);
    }

    /// <summary>Whether the state entry <paramref name="name"/> belongs directly to one of the modules named <paramref name="owners"/>.</summary>
    static bool OwnedBy(HashSet<string> owners, string name)
    {
        int dot = name.LastIndexOf('.');
        return owners.Contains(dot < 0 ? "" : name[..dot]);
    }

    /// <summary>Puts the model back in float32 (if a step failed inside an epoch) and frees the masters.</summary>
    public void Dispose()
    {
        LeaveSteps();
        foreach (var master in _masters.Values) master.Dispose();
        foreach (var master in _bufferMasters.Values) master.Dispose();
    }
}
