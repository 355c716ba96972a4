using CnnSentinel.Datasets;
using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// A cloud test for scenes without a scene classification (TCI images, Level-1C products, band stacks): a pixel is
/// cloud when its red, green and blue reflectances are all bright and nearly equal — the brightness and whiteness
/// tests of Fmask (Zhu and Woodcock, 2012) on the visible bands only. Snow and bright white roofs pass it too; a
/// Level-2A product's SCL (<see cref="SceneClassificationMask"/>) is the better mask where there is one.
/// </summary>
/// <param name="MinimumReflectance">Each of red, green and blue at least this reflectance (0.15: above bare soil and fields, below the 0.2 at which a Level-2A TCI saturates).</param>
/// <param name="MaximumWhiteness">(max − min) / mean of the three at most this (0.2: grey to white).</param>
/// <param name="CloudyWindowShare">A pixel whose window holds at least this share of cloud gets no class (<see cref="MapMask.Uncertain"/>): the model answers for the cloud, not the ground.</param>
public sealed record CloudTest(double MinimumReflectance = 0.15, double MaximumWhiteness = 0.2, double CloudyWindowShare = 0.25)
{
    /// <summary>The cloud mask [H, W] of raw values [C, H, W] whose bands and units <paramref name="radiometry"/> describes.</summary>
    /// <exception cref="UserErrorException">The bands lack red, green or blue.</exception>
    public Tensor Mask(Tensor raw, SceneRadiometry radiometry)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var visible = SentinelBands.TrueColourNames.Select(band =>
        {
            int b = radiometry.Bands.ToList().IndexOf(band);
            if (b < 0) throw new UserErrorException($"The cloud test needs {band}; the bands are {string.Join(", ", radiometry.Bands)}.");
            return raw[b] * held.Of(radiometry.ReflectanceGain[b]) + held.Of(radiometry.ReflectanceOffset[b]);
        }).ToList();
        var reflectance = stack(visible, 0);
        var (highest, _) = reflectance.max(0);
        var (lowest, _) = reflectance.min(0);
        var whiteness = (highest - lowest) / reflectance.mean([0]).clamp_min(held.Of(1e-6));
        return lowest.ge(held.Of(MinimumReflectance)).logical_and(whiteness.le(held.Of(MaximumWhiteness))).MoveToOuterDisposeScope();
    }
}
