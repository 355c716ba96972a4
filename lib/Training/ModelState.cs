using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>Copies of a model's state (parameters and buffers) held in memory: best weights, rollback on a failed load.</summary>
public static class ModelState
{
    /// <summary>A detached copy of every state entry of <paramref name="model"/>.</summary>
    public static Dictionary<string, Tensor> Copy(nn.Module model)
    {
        // The detached views are scoped: an unscoped temporary could be finalized while clone reads it.
        using var scope = NewDisposeScope();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Writes <paramref name="state"/> back into <paramref name="model"/> in place.</summary>
    public static void Restore(nn.Module model, IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (key, value) in model.state_dict()) value.copy_(state[key]);
    }

    /// <summary>Frees the tensors of a copy.</summary>
    public static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}
