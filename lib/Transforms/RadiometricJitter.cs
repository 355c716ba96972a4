using System.Globalization;
using CnnSentinel.Randomness;

namespace CnnSentinel.Transforms;

/// <summary>
/// Training augmentation for real scenes: a patch's values are changed as another processing level, atmosphere or
/// product scaling of the same ground would change them, so that one model reads Level-1C, Level-2A and TCI products.
/// </summary>
/// <remarks>
/// <para>Why: EuroSAT was made from Level-1C (top-of-atmosphere) products of 2017–2018 on one scaling, so a model
/// trained on it alone learns absolute colours. Real scenes differ: a Level-2A product lacks the atmosphere's path
/// reflectance (darker, above all in the blue, where a forest then has the colour of EuroSAT's lakes), a hazy day adds
/// a bright veil and takes contrast away, and a TCI is scaled otherwise (Level-2A TCIs 1.4 × brighter than EuroSAT's
/// JPEGs, Level-1C TCIs 0.79 ×).</para>
/// <para>On top-of-atmosphere reflectance ρ = value / <see cref="UnitsPerReflectance"/> of each band, one draw per image:
/// the path reflectance <see cref="PathReflectance"/> added h times, h uniform in [−1, 0.5] (−1: a Level-2A product
/// read as Level-1C; above 0: more haze); with chance 0.4 a veil, ρ·t + A·(1 − t) with transmission t uniform in
/// [0.55, 1] and a whitish airlight A uniform in [0.15, 0.3] reflectance (up to 10 % more in each band, so it may be tinted); then a
/// gain, log-uniform in [0.75, 1.4] for the image times [0.92, 1.08] per band. Values are clipped to 0 … <see cref="Maximum"/>
/// (EuroSAT's JPEGs saturate at 255). Every image draws the same numbers whether or not it is changed, from its own
/// seeded stream, so a batch depends only on its plan.</para>
/// </remarks>
/// <param name="UnitsPerReflectance">Per band, the model's units per unit of reflectance (EuroSAT RGB's ≈ 910–930; 10000 for the 13 bands' digital numbers).</param>
/// <param name="PathReflectance">Per band, a standard atmosphere's path reflectance (what Level-2A removes).</param>
/// <param name="Maximum">Values are clipped to this (255 for RGB); infinity for none.</param>
/// <param name="Probability">Chance that an image is changed; the others stay as EuroSAT has them.</param>
public sealed record RadiometricJitter(IReadOnlyList<float> UnitsPerReflectance, IReadOnlyList<float> PathReflectance, float Maximum, double Probability = 0.5)
{
    /// <summary>Chance that an image is changed, 0 to 1.</summary>
    /// <exception cref="UserErrorException">Outside 0 to 1.</exception>
    public double Probability { get; init; } = Probability is >= 0 and <= 1
        ? Probability
        : throw new UserErrorException($"The radiometric jitter's probability is {Probability}: it must be between 0 and 1.");

    /// <summary>Number of bands.</summary>
    public int Bands => UnitsPerReflectance.Count;

    /// <summary>The setting in words, as recipes and model cards name it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Probability:0.##} of the images with another processing level, haze and gain (radiometric jitter)");

    /// <summary>One image's draw: whether it is changed, and how.</summary>
    internal RadiometricDraw Draw(SplitMix64 random)
    {
        bool applied = random.NextDouble() < Probability;
        double path = random.NextDouble(-1, 0.5);
        bool veiled = random.NextDouble() < 0.4;
        double transmission = random.NextDouble(0.55, 1), airlight = random.NextDouble(0.15, 0.3);
        double gain = Math.Exp(random.NextDouble(Math.Log(0.75), Math.Log(1.4)));
        var bandAirlight = new float[Bands];
        var bandGain = new float[Bands];
        for (int b = 0; b < Bands; b++)
        {
            bandAirlight[b] = (float)(airlight * (1 + random.NextDouble(0, 0.1)));
            bandGain[b] = (float)(gain * Math.Exp(random.NextDouble(Math.Log(0.92), Math.Log(1.08))));
        }
        return new RadiometricDraw(applied, (float)path, veiled ? (float)transmission : 1f, bandAirlight, bandGain);
    }

    /// <summary>One draw per image of a batch of <paramref name="count"/>, each from its own stream of <paramref name="seed"/>.</summary>
    internal RadiometricDraw[] Draw(ulong seed, int count) =>
        Enumerable.Range(0, count).Select(i => Draw(new SplitMix64(SplitMix64.Derive(seed, i)))).ToArray();

    /// <summary>Writes one band-first image of raw values <paramref name="pixels"/>, changed by <paramref name="draw"/>, into <paramref name="destination"/> (model units).</summary>
    internal void Apply(ReadOnlySpan<ushort> pixels, Span<float> destination, RadiometricDraw draw)
    {
        if (pixels.Length % Bands != 0 || destination.Length != pixels.Length)
            throw new ArgumentException($"{pixels.Length} values do not make an image of {Bands} bands, or the destination holds {destination.Length}");
        int plane = pixels.Length / Bands;
        for (int b = 0; b < Bands; b++)
        {
            // value' = ((value / s + h·P)·t + A·(1 − t))·g·s, as one multiply and one add per pixel; clipped below at 0
            // after the path term (no negative reflectance) and at the maximum at the end.
            float s = UnitsPerReflectance[b], t = draw.Transmission, g = draw.Gain[b];
            float pathUnits = draw.PathFactor * PathReflectance[b] * s;
            float veil = draw.Airlight[b] * (1 - t) * s;
            var source = pixels.Slice(b * plane, plane);
            var target = destination.Slice(b * plane, plane);
            for (int i = 0; i < plane; i++)
                target[i] = Math.Clamp((Math.Max(source[i] + pathUnits, 0f) * t + veil) * g, 0f, Maximum);
        }
    }
}

/// <summary>One image's radiometric change (<see cref="RadiometricJitter"/>).</summary>
/// <param name="Applied">Whether the image is changed at all.</param>
/// <param name="PathFactor">Times the path reflectance added (negative: removed).</param>
/// <param name="Transmission">The veil's transmission (1: none).</param>
/// <param name="Airlight">Per band, the veil's reflectance.</param>
/// <param name="Gain">Per band, the gain.</param>
internal sealed record RadiometricDraw(bool Applied, float PathFactor, float Transmission, float[] Airlight, float[] Gain);
