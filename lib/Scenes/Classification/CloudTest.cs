using CnnSentinel.Datasets;
using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// A cloud test for scenes without a scene classification (TCI images, Level-1C products, band stacks): a pixel is
/// cloud when its red, green and blue reflectances are all bright and nearly equal — the brightness and whiteness
/// tests of Fmask (Zhu and Woodcock, 2012) on the visible bands only — in an area that is mostly such pixels, unless
/// the model is confident that it sees built-up land there. A Level-2A product's SCL (<see cref="SceneClassificationMask"/>) is the better mask where there is one.
/// </summary>
/// <remarks>
/// Why the area: bright white roofs and a few bright pixels of fields pass the brightness and whiteness tests as clouds
/// do (about a third of EuroSAT's Industrial patch centres, a tenth of its Residential ones), but they are small or
/// scattered, where a cloud is a compact bright area: a pixel is cloud only where at least <see cref="CoreShare"/> of
/// the <see cref="CoreSize"/> × <see cref="CoreSize"/> pixels around it pass too. On a mosaic of EuroSAT validation
/// patches that leaves no tile centre cloud; on the bundled scene it keeps about three quarters of the bright white
/// pixels, losing the clouds' thin edges, whose windows are mostly uncertain anyway.
/// Why the model has a say as well: a large white roof can pass both. A cloud seen
/// through a window trained on EuroSAT is no town to the model: over the bundled scene's cumulus clouds it answers
/// SeaLake or HerbaceousVegetation, rarely and never confidently a built-up class. So pixels whose most likely class is
/// one of <see cref="SparedClasses"/> with at least <see cref="SparedAbove"/> keep their class. Snow passes the test too.
/// </remarks>
/// <param name="MinimumReflectance">Each of red, green and blue at least this reflectance (0.15: above bare soil and fields, below the 0.2 at which a Level-2A TCI saturates).</param>
/// <param name="MaximumWhiteness">(max − min) / mean of the three at most this (0.2: grey to white).</param>
/// <param name="CloudyWindowShare">A pixel whose window holds at least this share of cloud gets no class (<see cref="MapMask.Uncertain"/>): the model answers for the cloud, not the ground.</param>
/// <param name="CoreSize">Side, in pixels, of the neighbourhood that must be mostly bright and white (9: 90 m at 10 m).</param>
/// <param name="CoreShare">Share of that neighbourhood that must pass the brightness and whiteness tests.</param>
/// <param name="SparedClasses">The model's output indices of the classes that bright white ground belongs to (built-up land), which the test leaves alone where the model is confident of them; none when null.</param>
/// <param name="SparedAbove">The class probability from which a spared class is kept.</param>
public sealed record CloudTest(double MinimumReflectance = 0.15, double MaximumWhiteness = 0.2, double CloudyWindowShare = 0.25,
    int CoreSize = 9, double CoreShare = 0.8, IReadOnlyList<int>? SparedClasses = null, double SparedAbove = 0.5)
{
    /// <summary>The classes whose land is bright and white in places: roofs, concrete, asphalt.</summary>
    public static IReadOnlyList<string> BuiltUpClassNames { get; } = ["Highway", "Industrial", "Residential"];

    /// <summary>
    /// The default test for a model with <paramref name="classes"/> (its output order; EuroSAT's when null): built-up
    /// classes (<see cref="BuiltUpClassNames"/>) that the model has are spared where it is confident of them.
    /// </summary>
    public static CloudTest For(IReadOnlyList<string>? classes = null)
    {
        var names = (classes ?? EuroSatClasses.Names).ToList();
        return new CloudTest(SparedClasses: [.. BuiltUpClassNames.Select(n => names.IndexOf(n)).Where(i => i >= 0)]);
    }

    /// <summary>The settings in words (what a run record keeps).</summary>
    public override string ToString()
    {
        var spared = SparedClasses is { Count: > 0 } classes
            ? FormattableString.Invariant($", SparedClasses = {string.Join(" ", classes)}, SparedAbove = {SparedAbove}")
            : "";
        return FormattableString.Invariant($"CloudTest {{ MinimumReflectance = {MinimumReflectance}, MaximumWhiteness = {MaximumWhiteness}, CloudyWindowShare = {CloudyWindowShare}, CoreSize = {CoreSize}, CoreShare = {CoreShare}{spared} }}");
    }

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
        var brightWhite = lowest.ge(held.Of(MinimumReflectance)).logical_and(whiteness.le(held.Of(MaximumWhiteness)));
        if (CoreSize <= 1) return brightWhite.MoveToOuterDisposeScope();
        // The share of bright white pixels around each pixel (edges repeated outward, so a scene's border is no darker).
        int before = CoreSize / 2, after = CoreSize - 1 - before;
        var padded = nn.functional.pad(brightWhite.to_type(ScalarType.Float32).unsqueeze(0).unsqueeze(0), [before, after, before, after], TorchSharp.PaddingModes.Replicate);
        var share = nn.functional.avg_pool2d(padded, [CoreSize, CoreSize], [1, 1])[0, 0];
        return brightWhite.logical_and(share.ge(held.Of(CoreShare - 1e-6))).MoveToOuterDisposeScope();
    }

    /// <summary>Where the model is confident of a spared class ([H, W]), from its most likely <paramref name="classes"/> and their <paramref name="confidence"/>; null when no class is spared.</summary>
    internal Tensor? Spared(Tensor classes, Tensor confidence)
    {
        if (SparedClasses is not { Count: > 0 } spared) return null;
        using var held = new HeldScalars();
        var builtUp = zeros_like(classes, ScalarType.Bool);
        foreach (var c in spared) builtUp = builtUp.logical_or(classes.eq(held.Of(c)));
        return builtUp.logical_and(confidence.ge(held.Of(SparedAbove)));
    }
}
