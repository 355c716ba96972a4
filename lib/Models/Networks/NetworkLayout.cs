using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A network's forward pass after input normalisation, written once as three chains of steps: <see cref="Features"/>
/// (the convolutional part), <see cref="Pooling"/> (feature map → one vector per image) and <see cref="Head"/>
/// (that vector → class logits). The network's forward pass, its feature-map split
/// (<see cref="ImageClassifier.FeatureMap"/>, <see cref="ImageClassifier.HeadOfPooled"/>) and the exporters
/// (<c>lib/Export</c>) all read it, so a network is described in one place.
/// </summary>
/// <param name="Features">The steps up to the feature map.</param>
/// <param name="Pooling">The steps that pool the feature map into N × C' features.</param>
/// <param name="Head">The steps from pooled features to logits (none for a feature extractor).</param>
internal sealed record NetworkLayout(IReadOnlyList<NamedModule> Features, IReadOnlyList<NamedModule> Pooling, IReadOnlyList<NamedModule> Head)
{
    /// <summary>Every step, in forward order.</summary>
    public IEnumerable<NamedModule> Steps => Features.Concat(Pooling).Concat(Head);

    /// <summary>The same layout with every name prefixed (<c>backbone.</c>) and <paramref name="first"/> steps in front of the features.</summary>
    public NetworkLayout Within(string prefix, IEnumerable<NamedModule> first) => new(
        [.. first, .. Prefixed(prefix, Features)], Prefixed(prefix, Pooling), Prefixed(prefix, Head));

    static NamedModule[] Prefixed(string prefix, IEnumerable<NamedModule> steps) =>
        [.. steps.Select(step => step with { Name = $"{prefix}.{step.Name}" })];

    /// <summary>The whole forward pass.</summary>
    public Tensor Forward(Tensor input) => NamedModule.Chain(Steps, input);

    /// <summary>The features only.</summary>
    public Tensor FeatureMap(Tensor input) => NamedModule.Chain(Features, input);

    /// <summary>The head only, on pooled features.</summary>
    public Tensor HeadOf(Tensor pooled) => NamedModule.Chain(Head, pooled);
}
