using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Datasets;

/// <summary>
/// The 13 Sentinel-2 bands of a EuroSAT multispectral patch, in the order the GeoTIFFs store them:
/// B01 … B12, then B8A LAST (not after B08). All are resampled to 10 m.
/// </summary>
public static class SentinelBands
{
    /// <summary>Band names in file order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10", "B11", "B12", "B8A"];

    /// <summary>Number of bands in a EuroSAT multispectral patch.</summary>
    public const int Count = 13;

    /// <summary>Index of B02 (blue).</summary>
    public const int Blue = 1;

    /// <summary>Index of B03 (green).</summary>
    public const int Green = 2;

    /// <summary>Index of B04 (red).</summary>
    public const int Red = 3;

    /// <summary>Index of B08 (near infrared, 10 m).</summary>
    public const int NearInfrared = 7;

    /// <summary>Index of B8A (narrow near infrared, 20 m): the last band.</summary>
    public const int NarrowNearInfrared = 12;

    /// <summary>Bands to show as red, green, blue: B04, B03, B02 (what the RGB release was made from).</summary>
    public static int[] TrueColour => [Red, Green, Blue];

    /// <summary>The upper end of the value range the RGB release was scaled from (<c>gdal_translate -scale 0 2750 1 255</c>, original issue #1).</summary>
    public const double RgbReleaseMaximum = 2750;

    /// <summary>
    /// True colour as the EuroSAT RGB release made it from the multispectral patches: B04, B03, B02 mapped
    /// linearly from [0, 2750] to [1, 255] and clipped, as uint8 <c>[N, 3, H, W]</c> (or <c>[3, H, W]</c>).
    /// </summary>
    public static Tensor ToRgbRelease(Tensor multispectral)
    {
        using var scope = NewDisposeScope();
        var bands = multispectral.index_select(-3, tensor(TrueColour.Select(b => (long)b).ToArray(), device: multispectral.device));
        using var held = new HeldScalars();
        var scaled = bands.to_type(ScalarType.Float32).mul(held.Of(254 / RgbReleaseMaximum)).add_(held.Of(1.0), HeldScalars.One);
        return scaled.round().clamp(held.Of(0.0), held.Of(255.0)).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Patches as true-colour uint8 for display, with one fixed scaling for every patch (so that a forest looks like a
    /// forest next to a lake, which a per-image contrast stretch undoes): 3-band patches (the RGB release, 0–255) as
    /// they are, 13-band patches as the RGB release made them (<see cref="ToRgbRelease"/>).
    /// </summary>
    /// <param name="patches"><c>[N, C, H, W]</c> or <c>[C, H, W]</c>, C = 3 or 13, on their file scale.</param>
    public static Tensor ToDisplay(Tensor patches)
    {
        var channels = patches.shape[^3];
        if (channels == Names.Count) return ToRgbRelease(patches);
        if (channels != 3) throw new ArgumentException($"ToDisplay takes 3-band or {Names.Count}-band patches, not {channels} bands.", nameof(patches));
        using var held = new HeldScalars();
        return patches.round().clamp(held.Of(0.0), held.Of(255.0)).to_type(ScalarType.Byte);
    }

    /// <summary>The names of the bands of <paramref name="format"/>: R, G, B for RGB, <see cref="Names"/> for multispectral.</summary>
    public static IReadOnlyList<string> For(PatchFormat format) =>
        format == PatchFormat.Rgb ? ["R", "G", "B"] : Names;
}
