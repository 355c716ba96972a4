using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// One step of a forward pass: a module and the name it goes by (its state-dict name where it is registered, e.g.
/// <c>layer1</c>, <c>features</c>; a descriptive one, e.g. <c>flatten</c>, for the parameterless steps a network
/// takes between its registered modules). Exporters name what they write after it.
/// </summary>
/// <param name="Name">The step's name.</param>
/// <param name="Module">What the step applies.</param>
internal sealed record NamedModule(string Name, nn.Module<Tensor, Tensor> Module)
{
    /// <summary>Applies <paramref name="steps"/> in order; a new tensor (an alias of the input when there are none).</summary>
    public static Tensor Chain(IEnumerable<NamedModule> steps, Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var step in steps) x = step.Module.call(x);
        return (ReferenceEquals(x, input) ? input.alias() : x).MoveToOuterDisposeScope();
    }
}
