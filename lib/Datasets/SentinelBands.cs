using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Datasets;

/// <summary>
/// The Sentinel-2 band facts, in one place: the 13 bands of a EuroSAT multispectral patch in the order the GeoTIFFs
/// store them (B01 … B12, then B8A LAST, not after B08; all resampled to 10 m), which of them make true colour, each
/// band's wavelength and metadata id, and the band order a model of 3 or 13 bands reads. Finding band files in a
/// Sentinel-2 product is <c>Scenes.ProductBandFiles</c>' job.
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

    /// <summary>
    /// Indices of the bands that make true colour, as red, green, blue: B04, B03, B02 (what the RGB release was made from,
    /// and where RGB-pretrained filters go when a network is adapted to 13 bands).
    /// </summary>
    public static IReadOnlyList<int> TrueColour { get; } = [Red, Green, Blue];

    /// <summary>The true-colour bands by name, red, green, blue: B04, B03, B02 (the band order of an RGB model).</summary>
    public static IReadOnlyList<string> TrueColourNames { get; } = [.. TrueColour.Select(i => Names[i])];

    /// <summary>The band order a model with <paramref name="bandCount"/> input bands reads (13: EuroSAT MS, 3: true colour).</summary>
    /// <exception cref="UserErrorException">No order is known for that many bands.</exception>
    public static IReadOnlyList<string> OrderFor(int bandCount) => bandCount switch
    {
        Count => Names,
        3 => TrueColourNames,
        _ => throw new UserErrorException($"No Sentinel-2 band order is known for a model of {bandCount} bands ({Count} = EuroSAT MS, 3 = RGB)."),
    };

    /// <summary>Every band with its central wavelength (nm, Sentinel-2A) and its band_id in product metadata (0–12).</summary>
    static readonly Dictionary<string, (double Nanometres, int Id)> Spectral = new()
    {
        ["B01"] = (443, 0), ["B02"] = (490, 1), ["B03"] = (560, 2), ["B04"] = (665, 3), ["B05"] = (705, 4), ["B06"] = (740, 5),
        ["B07"] = (783, 6), ["B08"] = (842, 7), ["B8A"] = (865, 8), ["B09"] = (945, 9), ["B10"] = (1375, 10), ["B11"] = (1610, 11), ["B12"] = (2190, 12),
    };

    /// <summary>Central wavelength of <paramref name="band"/> in nanometres (Sentinel-2A).</summary>
    public static double CentreWavelength(string band) => Known(band).Nanometres;

    /// <summary>The band_id of <paramref name="band"/> in Sentinel-2 product metadata (B01 = 0 … B08 = 7, B8A = 8, B09 = 9 … B12 = 12).</summary>
    public static int BandId(string band) => Known(band).Id;

    static (double Nanometres, int Id) Known(string band) =>
        Spectral.TryGetValue(band, out var known) ? known : throw new UserErrorException($"{band} is not a Sentinel-2 band (B01 … B12, B8A).");

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
