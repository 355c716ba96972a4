using System.Text.Json.Serialization;
using CnnSentinel.Datasets;
using static TorchSharp.torch;

namespace CnnSentinel.Transforms;

/// <summary>
/// Per-band standardisation: <c>(value − mean[band]) / std[band]</c>, as the original's
/// <c>preprocessing_image_rgb</c> and <c>preprocessing_image_ms</c>.
/// </summary>
/// <remarks>One stage of a model's <see cref="Preprocessing"/>.</remarks>
public sealed record ChannelNormalization
{
    /// <summary>The standardisation with <paramref name="mean"/> and <paramref name="std"/> per band.</summary>
    /// <param name="mean">Mean per band, in channel order.</param>
    /// <param name="std">Standard deviation per band (all positive).</param>
    /// <exception cref="UserErrorException">The lists differ in length, or a deviation is not positive.</exception>
    [JsonConstructor]
    public ChannelNormalization(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count != std.Count) throw new UserErrorException($"{mean.Count} means but {std.Count} standard deviations.");
        if (std.Any(s => !(s > 0))) throw new UserErrorException("Every standard deviation must be positive.");
        (Mean, Std) = (mean, std);
    }

    /// <summary>Mean per band, in channel order.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Standard deviation per band (all positive).</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>The original's RGB constants (image_functions.py; std = mean of per-image stds).</summary>
    public static ChannelNormalization OriginalRgb { get; } = new([87.845, 96.965, 103.947], [23.657, 16.474, 13.793]);

    /// <summary>The original's multispectral constants, bands B01 … B12, B8A (image_functions.py).</summary>
    public static ChannelNormalization OriginalMultispectral { get; } = new(
        [1353.036, 1116.468, 1041.475, 945.344, 1198.498, 2004.878, 2376.699, 2303.738, 732.957, 12.092, 1818.820, 1116.271, 2602.579],
        [65.479, 154.008, 187.997, 278.508, 228.122, 356.598, 456.035, 531.570, 98.947, 1.188, 378.993, 303.851, 503.181]);

    /// <summary>The original's constants for <paramref name="format"/>.</summary>
    public static ChannelNormalization OriginalFor(PatchFormat format) =>
        format == PatchFormat.Rgb ? OriginalRgb : OriginalMultispectral;

    /// <summary>
    /// Raw values on the scale of the EuroSAT RGB release (0…255), for the ImageNet network, which takes RGB
    /// 0…255 and subtracts its own channel mean: RGB unchanged; multispectral digital numbers × 255 / 2750,
    /// the scaling the RGB release was made with (gdal_translate -scale 0 2750).
    /// </summary>
    public static ChannelNormalization PretrainedScaleFor(PatchFormat format) => format == PatchFormat.Rgb
        ? new([0, 0, 0], [1, 1, 1])
        : new(Enumerable.Repeat(0.0, SentinelBands.Count).ToArray(), Enumerable.Repeat(SentinelBands.RgbReleaseMaximum / 255, SentinelBands.Count).ToArray());

    /// <summary>The original's constants for data of <paramref name="bands"/> bands (3: RGB, 13: EuroSAT MS).</summary>
    /// <exception cref="UserErrorException">No constants are known for that band count.</exception>
    public static ChannelNormalization OriginalForBands(int bands) => bands switch
    {
        3 => OriginalRgb,
        SentinelBands.Count => OriginalMultispectral,
        _ => throw new UserErrorException($"No normalisation is known for {bands} bands (3 = RGB, {SentinelBands.Count} = EuroSAT MS)."),
    };

    /// <summary>The constants as single-precision arrays, as tensors take them.</summary>
    public (float[] Mean, float[] Std) ToFloats() => (Mean.Select(m => (float)m).ToArray(), Std.Select(s => (float)s).ToArray());

    /// <summary>Number of bands.</summary>
    [JsonIgnore]
    public int Bands => Mean.Count;

    /// <summary>Standardises images <c>[C, H, W]</c> or <c>[N, C, H, W]</c> (any numeric type) into a new float32 tensor (bfloat16 for bfloat16 images).</summary>
    /// <exception cref="ArgumentException">The tensor's shape or band count does not fit.</exception>
    public Tensor Apply(Tensor images)
    {
        if (images.dim() is not (3 or 4))
            throw new ArgumentException($"expected images [C, H, W] or [N, C, H, W], got [{string.Join(", ", images.shape)}]", nameof(images));
        long channels = images.shape[^3];
        if (channels != Bands)
            throw new ArgumentException($"images have {channels} bands but the normalisation has {Bands}", nameof(images));
        using var scope = NewDisposeScope();
        var shape = images.dim() == 3 ? new long[] { Bands, 1, 1 } : [1, Bands, 1, 1];
        var (meanValues, stdValues) = ToFloats();
        var mean = tensor(meanValues, device: images.device).reshape(shape);
        var std = tensor(stdValues, device: images.device).reshape(shape);
        var standardised = (images.to_type(ScalarType.Float32) - mean) / std;
        // A network computing in bfloat16 (ComputePrecision) gets its input back in that type; anything else is float32.
        return (images.dtype == ScalarType.BFloat16 ? standardised.to_type(ScalarType.BFloat16) : standardised).MoveToOuterDisposeScope();
    }

    /// <summary>Standardises one band-first image of raw values into <paramref name="destination"/> (the loader's path, no tensor).</summary>
    public void Apply(ReadOnlySpan<ushort> pixels, Span<float> destination) => Standardise(pixels, destination);

    /// <summary>Standardises one band-first image of values in the data's units (e.g. after <see cref="RadiometricJitter"/>) into <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<float> values, Span<float> destination) => Standardise(values, destination);

    void Standardise<T>(ReadOnlySpan<T> pixels, Span<float> destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        if (pixels.Length % Bands != 0 || destination.Length != pixels.Length)
            throw new ArgumentException($"{pixels.Length} values do not make an image of {Bands} bands, or the destination holds {destination.Length}");
        int plane = pixels.Length / Bands;
        for (int b = 0; b < Bands; b++)
        {
            float mean = (float)Mean[b], scale = (float)(1 / Std[b]);
            var source = pixels.Slice(b * plane, plane);
            var target = destination.Slice(b * plane, plane);
            for (int i = 0; i < plane; i++) target[i] = (float.CreateTruncating(source[i]) - mean) * scale;
        }
    }
}
