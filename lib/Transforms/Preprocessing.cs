using System.Text.Json.Serialization;
using CnnSentinel.Datasets;
using static TorchSharp.torch;

namespace CnnSentinel.Transforms;

/// <summary>
/// How a model's raw patch values become what its layers compute on, in two per-band stages: <see cref="Input"/>,
/// which whoever feeds the network applies (the data loader, the scene classifier, the map web page), then
/// <see cref="Network"/>, which the network applies itself as its first module
/// (<see cref="Models.ImageClassifier.InputNormalization"/>, e.g. the ImageNet ResNet's channel mean). A model file
/// stores it (<see cref="Models.ModelDescription.Preprocessing"/>); the stages are kept apart, not folded into one, so
/// that every input is computed with exactly the operations the network was trained with.
/// </summary>
public sealed record Preprocessing
{
    /// <summary>Preprocessing with the stage applied before the network and, optionally, the network's own.</summary>
    /// <param name="input">Applied to raw values before the network.</param>
    /// <param name="network">Applied by the network itself to its input (after a band adapter, to the adapter's output); null for none.</param>
    [JsonConstructor]
    public Preprocessing(ChannelNormalization input, ChannelNormalization? network = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        Input = input;
        Network = network;
    }

    /// <summary>What raw values go through before the network: <c>(x − mean) / std</c> per band.</summary>
    public ChannelNormalization Input { get; }

    /// <summary>The network's own input normalisation, part of the module and not of its weights; null for none.</summary>
    public ChannelNormalization? Network { get; }

    /// <summary>Bands of the raw input.</summary>
    [JsonIgnore]
    public int Bands => Input.Bands;

    /// <summary>The original's constants for <paramref name="format"/> (<see cref="ChannelNormalization.OriginalFor"/>), for a network without its own normalisation.</summary>
    public static Preprocessing OriginalFor(PatchFormat format) => new(ChannelNormalization.OriginalFor(format));

    /// <summary>
    /// Prepares raw images <c>[C, H, W]</c> or <c>[N, C, H, W]</c> (any numeric type) for the network: <see cref="Input"/>
    /// applied, into a new float32 tensor. The network applies <see cref="Network"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor's shape or band count does not fit.</exception>
    public Tensor Apply(Tensor raw) => Input.Apply(raw);
}
