using CnnSentinel.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Bench;

/// <summary>
/// Counts the FLOPs a network's convolutions and linear layers execute (<see cref="ModelSummary.Flops"/>) with forward
/// hooks, whatever calls them: whole windows (naive) or the convolutional part over a block and the head (dense).
/// </summary>
sealed class ExecutedFlops : IDisposable
{
    readonly List<Action> _remove = [];

    /// <summary>Hooks every leaf layer of <paramref name="network"/>.</summary>
    public ExecutedFlops(nn.Module network)
    {
        foreach (var (_, module) in network.named_modules())
            if (module is nn.Module<Tensor, Tensor> leaf && !leaf.children().Any())
                _remove.Add(leaf.register_forward_hook((m, _, output) =>
                {
                    Total += ModelSummary.Flops(m, output);
                    return output;
                }).remove);
    }

    /// <summary>FLOPs executed since the hooks were set.</summary>
    public long Total { get; private set; }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var remove in _remove) remove();
    }
}
