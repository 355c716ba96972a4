using CnnSentinel.Datasets;
using CnnSentinel.Loading;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;

namespace CnnSentinel.Tests.Transforms;

/// <summary>The radiometric jitter: other processing levels, haze and gains, seeded, as the physics it imitates.</summary>
public class RadiometricJitterTests
{
    static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) => a.eq(b).all().item<bool>();

    static RadiometricJitter Rgb(double probability = 1) => SceneRadiometry.TrainingJitter(SentinelBands.TrueColourNames, probability);

    [Fact]
    public void EachChangeIsThePhysicsWrittenOut()
    {
        var jitter = Rgb();
        ushort[] pixels = [40, 200, 60, 250, 80, 10]; // 2 pixels per band: red, green, blue
        var output = new float[pixels.Length];
        // A Level-2A product read as Level-1C: the standard path reflectance taken away, nothing else.
        jitter.Apply(pixels, output, new RadiometricDraw(true, -1, 1, [0f, 0f, 0f], [1f, 1f, 1f]));
        for (int b = 0; b < 3; b++)
            for (int i = 0; i < 2; i++)
            {
                var expected = Math.Max(pixels[b * 2 + i] - jitter.PathReflectance[b] * jitter.UnitsPerReflectance[b], 0f);
                Assert.Equal(expected, output[b * 2 + i], 3);
            }
        Assert.Equal(0f, output[5]); // the blue path (0.066 × 930 ≈ 61) exceeds 10: clipped at no reflectance
        Assert.True(jitter.PathReflectance[2] > jitter.PathReflectance[1] && jitter.PathReflectance[1] > jitter.PathReflectance[0], "path reflectance falls with wavelength");

        // A veil of transmission 0.6 and airlight 0.2, then a gain of 1.3: clipped at EuroSAT's 255.
        jitter.Apply(pixels, output, new RadiometricDraw(true, 0, 0.6f, [0.2f, 0.2f, 0.2f], [1.3f, 1.3f, 1.3f]));
        for (int b = 0; b < 3; b++)
            for (int i = 0; i < 2; i++)
                Assert.Equal(Math.Min((pixels[b * 2 + i] * 0.6f + 0.2f * 0.4f * jitter.UnitsPerReflectance[b]) * 1.3f, 255f), output[b * 2 + i], 3);
        Assert.Equal(255f, output[3]); // green 250: (150 + 74) × 1.3 > 255
    }

    [Fact]
    public void DrawsAreSeededAndCoverTheRangesTheRemarksGive()
    {
        var jitter = Rgb(probability: 0.5);
        Assert.Equal(jitter.Draw(7, 8).Select(d => (d.Applied, d.PathFactor, d.Transmission, d.Gain[0])), jitter.Draw(7, 8).Select(d => (d.Applied, d.PathFactor, d.Transmission, d.Gain[0])));
        var draws = Enumerable.Range(0, 200).SelectMany(seed => jitter.Draw((ulong)seed, 16)).ToList();
        Assert.InRange(draws.Count(d => d.Applied) / (double)draws.Count, 0.45, 0.55);
        Assert.All(draws, d => Assert.InRange(d.PathFactor, -1f, 0.5f));
        Assert.InRange(draws.Count(d => d.Transmission < 1) / (double)draws.Count, 0.35, 0.45);
        Assert.All(draws.Where(d => d.Transmission < 1), d => Assert.InRange(d.Transmission, 0.55f, 1f));
        Assert.All(draws, d => Assert.All(d.Gain, g => Assert.InRange(g, 0.75f * 0.92f, 1.4f * 1.08f)));
        Assert.All(draws, d => Assert.All(d.Airlight, a => Assert.InRange(a, 0.15f, 0.3f * 1.1f)));
        Assert.Throws<UserErrorException>(() => Rgb(probability: 1.5));
    }

    [Fact]
    public void TheLoaderChangesOnlyTheDrawnImagesAndStaysReproducible()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var samples = dataset.Samples.Take(32).ToList();
        PatchLoader Loader(RadiometricJitter? jitter) => new(dataset, samples, LoaderOptions.Training with { Augmentation = AugmentationPolicy.Dihedral, BatchSize = 32, Prefetch = 1, Radiometric = jitter });
        using var plain = Loader(null).Epoch(0).Single();
        using var never = Loader(Rgb(probability: 0)).Epoch(0).Single();
        using var some = Loader(Rgb(probability: 0.5)).Epoch(0).Single();
        using var again = Loader(Rgb(probability: 0.5)).Epoch(0).Single();
        Assert.True(Same(plain.Images, never.Images), "probability 0 changes nothing");
        Assert.True(Same(some.Images, again.Images), "the same seed gives the same batch");
        var drawn = Loader(Rgb(probability: 0.5)).Plan(0).Single().Radiometric!;
        for (int i = 0; i < samples.Count; i++)
            Assert.Equal(drawn[i].Applied, !Same(plain.Images[i], some.Images[i]));
        Assert.Contains(drawn, d => d.Applied);
        Assert.Contains(drawn, d => !d.Applied);
    }
}
