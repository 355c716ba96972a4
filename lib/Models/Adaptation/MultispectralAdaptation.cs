using CnnSentinel.Datasets;
using CnnSentinel.Runtime;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// Three ways to let a network pretrained on RGB read multispectral input (EuroSAT MS: 13 bands,
/// B01 … B12 then B8A), each one call on the pretrained model.
/// </summary>
/// <example><code>
/// var rgb = ImageNetResNet18.Load(classes: 10);
/// var ms = rgb.InflateFirstConvolution();   // or rgb.AddBandAdapter(), rgb.ReplaceFirstConvolution()
/// ms.Freeze(); ms.Unfreeze("conv1", "fc");   // stage 1: train the input convolution and the head
/// </code></example>
internal static class MultispectralAdaptation
{
    /// <summary>(a) The original's 04: a learnable 1×1 convolution <paramref name="bands"/> → 3 in front of the whole pretrained network.</summary>
    public static BandAdapter AddBandAdapter(this ImageClassifier pretrained, int bands = SentinelBands.Count) => new(pretrained, bands);

    /// <summary>
    /// (b) The original's 04 alternative: the same network with a new, randomly initialised first convolution
    /// reading <paramref name="bands"/> bands; every other weight is copied from <paramref name="pretrained"/>.
    /// </summary>
    public static ImageClassifier ReplaceFirstConvolution(this ImageClassifier pretrained, int bands = SentinelBands.Count) =>
        CopyAllButFirstConvolution(pretrained, bands);

    /// <summary>
    /// (c) The first convolution inflated to <paramref name="bands"/> bands: the pretrained filters of input
    /// channel <i>i</i> go to band <c>rgbBands[i]</c> (default B04, B03, B02); every other band gets the mean of
    /// those filters, and all are scaled by <c>channels / bands</c> so that activations keep their scale when the
    /// bands carry similarly standardised values (timm's <c>adapt_input_conv</c> does the same). With
    /// <paramref name="zeroOtherBands"/>, the other bands' filters are zero and nothing is rescaled: the model
    /// then computes exactly the pretrained one on the RGB bands. An <see cref="ImageClassifier.InputNormalization"/>
    /// is inflated the same way: the RGB constants go to their bands, the other bands get their average (which
    /// assumes those bands come on the RGB bands' scale).
    /// </summary>
    /// <exception cref="ArgumentException">The band indices do not fit the pretrained channels or <paramref name="bands"/>.</exception>
    public static ImageClassifier InflateFirstConvolution(this ImageClassifier pretrained, int bands = SentinelBands.Count,
        IReadOnlyList<int>? rgbBands = null, bool zeroOtherBands = false)
    {
        rgbBands ??= SentinelBands.TrueColour;
        if (rgbBands.Count != pretrained.Bands)
            throw new ArgumentException($"{pretrained.GetName()} reads {pretrained.Bands} channel(s); {rgbBands.Count} band indices were given.", nameof(rgbBands));
        if (rgbBands.Any(b => b < 0 || b >= bands) || rgbBands.Distinct().Count() != rgbBands.Count)
            throw new ArgumentException($"The band indices [{string.Join(", ", rgbBands)}] must be distinct and within 0 … {bands - 1}.", nameof(rgbBands));

        var inflated = CopyAllButFirstConvolution(pretrained, bands);
        var key = $"{pretrained.FirstConvolutionName}.weight";
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var source = pretrained.state_dict()[key];
        var weight = torch.zeros(source.shape[0], bands, source.shape[2], source.shape[3], dtype: source.dtype);
        if (!zeroOtherBands) weight.copy_(source.mean([1L], keepdim: true).expand_as(weight));
        for (var i = 0; i < rgbBands.Count; i++) weight[.., rgbBands[i]] = source[.., i];
        using var held = new HeldScalars();
        if (!zeroOtherBands) weight.mul_(held.Of((double)pretrained.Bands / bands));
        inflated.state_dict()[key].copy_(weight);
        if (pretrained.InputNormalization is { } normalization)
            inflated.SetInputNormalization(new InputNormalization(new ChannelNormalization(
                Inflate(normalization.Mean, rgbBands, bands), Inflate(normalization.Std, rgbBands, bands))));
        return inflated;
    }

    /// <summary>
    /// Per-band constants: channel <i>i</i>'s value on band <c>rgbBands[i]</c>, the channels' average elsewhere, averaged in
    /// the single precision the network applies them in.
    /// </summary>
    static double[] Inflate(IReadOnlyList<float> channels, IReadOnlyList<int> rgbBands, int bands)
    {
        var values = Enumerable.Repeat(channels.Average(), bands).ToArray();
        for (var i = 0; i < rgbBands.Count; i++) values[rgbBands[i]] = channels[i];
        return [.. values.Select(v => (double)v)];
    }

    static ImageClassifier CopyAllButFirstConvolution(ImageClassifier pretrained, int bands)
    {
        var target = pretrained.WithBands(bands);
        var key = $"{pretrained.FirstConvolutionName}.weight";
        var weights = pretrained.state_dict().Where(kv => kv.Key != key).ToDictionary();
        var comparison = StateDictFile.LoadInto(target, weights, strict: false, pretrained.GetName());
        if (!comparison.Missing.SequenceEqual([key]) || comparison.Unexpected.Count > 0 || comparison.Mismatched.Count > 0)
            throw new InvalidOperationException($"Rebuilding {pretrained.GetName()} for {bands} bands changed more than {key}: {comparison}");
        if (!pretrained.training) target.eval();
        return target;
    }
}
