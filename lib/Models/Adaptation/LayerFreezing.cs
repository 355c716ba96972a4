using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// Freezes and unfreezes parameters by layer name (state-dict prefix), keeping frozen batch norms in eval
/// mode: a batch norm whose parameters are all frozen keeps its running statistics too, even after
/// <c>model.train()</c> (as Keras does for non-trainable BatchNormalization layers).
/// </summary>
/// <remarks>
/// A layer name matches itself and everything under it: <c>features.5</c> matches <c>features.5.weight</c> but
/// not <c>features.50.weight</c>. The original's stage 2: VGG16 <c>UnfreezeFrom("features.5")</c> (block2 on),
/// DenseNet201 <c>UnfreezeFrom("features.denseblock1")</c> (Keras layer 7 on).
/// </remarks>
public static class LayerFreezing
{
    /// <summary>Removes the eval-pinning hook of each frozen batch norm.</summary>
    static readonly ConditionalWeakTable<BatchNorm, Action> Pinned = new();

    /// <summary>Freezes the parameters of the named layers, or of the whole model when none is named.</summary>
    /// <exception cref="ArgumentException">A name matches no parameter; the message lists the model's top-level layers.</exception>
    public static void Freeze(this nn.Module model, params string[] layers) => SetTrainable(model, layers, false);

    /// <summary>Unfreezes the parameters of the named layers, or of the whole model when none is named.</summary>
    /// <exception cref="ArgumentException">A name matches no parameter.</exception>
    public static void Unfreeze(this nn.Module model, params string[] layers) => SetTrainable(model, layers, true);

    /// <summary>
    /// Freezes every parameter registered before <paramref name="firstTrainableLayer"/> and unfreezes it and all
    /// after it (registration order is the forward order for the builders here).
    /// </summary>
    /// <exception cref="ArgumentException">The name matches no parameter.</exception>
    public static void UnfreezeFrom(this nn.Module model, string firstTrainableLayer)
    {
        var parameters = model.named_parameters().ToList();
        var first = parameters.FindIndex(p => Matches(p.name, firstTrainableLayer));
        if (first < 0) throw UnknownLayer(model, firstTrainableLayer);
        for (var i = 0; i < parameters.Count; i++) parameters[i].parameter.requires_grad = i >= first;
        SyncBatchNorms(model);
    }

    /// <summary>
    /// Freezes every batch norm (scale, shift and running statistics), whatever else trains: fine-tuning on small batches
    /// of small patches keeps ImageNet's statistics (see <see cref="Training.FineTuningPlan.KeepBatchNormFrozen"/>).
    /// </summary>
    public static void FreezeBatchNorms(this nn.Module model)
    {
        var batchNorms = model.named_modules().Where(m => m.module is BatchNorm && m.module.parameters().Any()).Select(m => m.name).ToArray();
        if (batchNorms.Length > 0) model.Freeze(batchNorms);
    }

    /// <summary>Number of parameter values in <paramref name="model"/>, or only of those that train.</summary>
    public static long CountParameters(this nn.Module model, bool trainableOnly = false) =>
        model.parameters().Where(p => !trainableOnly || p.requires_grad).Sum(p => p.numel());

    static void SetTrainable(nn.Module model, string[] layers, bool trainable)
    {
        var parameters = model.named_parameters().ToList();
        foreach (var layer in layers)
            if (!parameters.Any(p => Matches(p.name, layer))) throw UnknownLayer(model, layer);
        foreach (var (name, parameter) in parameters)
            if (layers.Length == 0 || layers.Any(layer => Matches(name, layer)))
                parameter.requires_grad = trainable;
        SyncBatchNorms(model);
    }

    /// <summary>Pins each fully frozen batch norm in eval mode and releases the others.</summary>
    static void SyncBatchNorms(nn.Module model)
    {
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not BatchNorm norm) continue;
            var frozen = norm.parameters().All(p => !p.requires_grad);
            if (frozen && !Pinned.TryGetValue(norm, out _))
            {
                var hook = norm.register_forward_pre_hook(m => { if (m.training) m.eval(); });
                Pinned.Add(norm, hook.remove);
                norm.eval();
            }
            else if (!frozen && Pinned.TryGetValue(norm, out var release))
            {
                release();
                Pinned.Remove(norm);
                norm.train(model.training);
            }
        }
    }

    static bool Matches(string parameter, string layer) =>
        parameter == layer || parameter.StartsWith(layer + ".", StringComparison.Ordinal);

    static ArgumentException UnknownLayer(nn.Module model, string layer) =>
        new($"{model.GetName()} has no parameters under \"{layer}\". Its top-level layers: " +
            $"{string.Join(", ", model.named_children().Select(c => c.name))}; names follow the state dict (e.g. features.5, layer4.1.conv2).", nameof(layer));
}
