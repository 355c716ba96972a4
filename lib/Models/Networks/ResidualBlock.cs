using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A ResNet block as <c>activation(residual path(x) + shortcut(x))</c>, the shortcut being <see cref="Downsample"/> or the
/// identity: <see cref="BasicBlock"/> and <see cref="Bottleneck"/> say only what their paths hold; the forward pass here
/// and the exporters read the same description.
/// </summary>
internal abstract class ResidualBlock(string name) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>The residual path's steps in order, under the block's module names (a module may appear more than once).</summary>
    public abstract IReadOnlyList<NamedModule> ResidualPath { get; }

    /// <summary>The shortcut that changes resolution or width (module name <c>downsample</c>), or null for the identity.</summary>
    public abstract NamedModule? Downsample { get; }

    /// <summary>The activation after the sum (module name <c>relu</c>).</summary>
    public abstract NamedModule Activation { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Forward(input, (step, x) => ((nn.Module<Tensor, Tensor>)step).call(x));

    /// <summary>
    /// The block's sum with each of its steps run by <paramref name="run"/> (a step's module and its input to its output):
    /// the forward pass, or a rewrite of its convolutions (<see cref="AtrousFeatures"/>).
    /// </summary>
    internal Tensor Forward(Tensor input, Func<nn.Module, Tensor, Tensor> run)
    {
        using var scope = NewDisposeScope();
        var residual = ResidualPath.Aggregate(input, (x, step) => run(step.Module, x));
        var shortcut = Downsample is { } downsample ? run(downsample.Module, input) : input;
        return run(Activation.Module, residual.add_(shortcut, HeldScalars.One)).MoveToOuterDisposeScope();
    }
}
