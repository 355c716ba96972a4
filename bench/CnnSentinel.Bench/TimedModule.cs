using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Bench;

/// <summary>
/// A part of a network as a module whose calls run <see cref="Stopwatch"/> time: the scene benchmark hands these to
/// <see cref="Scenes.WindowModel"/> to tell the network's share of a classification from reading, interpolation and writing.
/// </summary>
/// <remarks>Torch runs on the CPU here, synchronously, so the time of the call is the time of the computation.</remarks>
sealed class TimedModule : nn.Module<Tensor, Tensor>
{
    readonly Func<Tensor, Tensor> _part;
    readonly Stopwatch _watch;

    /// <summary>Times <paramref name="part"/> (e.g. <c>network.call</c>) on <paramref name="watch"/>, which several parts may share.</summary>
    public TimedModule(string name, Func<Tensor, Tensor> part, Stopwatch watch) : base(name)
    {
        _part = part;
        _watch = watch;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        _watch.Start();
        try { return _part(input); }
        finally { _watch.Stop(); }
    }
}
