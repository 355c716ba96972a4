using System.Text.RegularExpressions;

namespace CnnSentinel.Scenes;

/// <summary>
/// Sentinel-2 band names and the orders models expect; finds band files by name (B01 … B12, B8A) in a folder or a
/// SAFE product, so band order is checked from names and never assumed from file order.
/// </summary>
internal static partial class Sentinel2Bands
{
    /// <summary>EuroSAT MS order: B01 … B12, then B8A LAST (not after B08), as the EuroSAT GeoTIFFs store them.</summary>
    public static IReadOnlyList<string> EuroSatOrder { get; } = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10", "B11", "B12", "B8A"];

    /// <summary>True colour: red, green, blue = B04, B03, B02.</summary>
    public static IReadOnlyList<string> RgbOrder { get; } = ["B04", "B03", "B02"];

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
        Spectral.TryGetValue(band, out var known) ? known : throw new ArgumentException($"{band} is not a Sentinel-2 band (B01 … B12, B8A).");

    /// <summary>The order a model with <paramref name="bandCount"/> input bands expects (13: EuroSAT MS, 3: RGB).</summary>
    public static IReadOnlyList<string> OrderFor(int bandCount) => bandCount switch
    {
        13 => EuroSatOrder,
        3 => RgbOrder,
        _ => throw new ArgumentException($"No Sentinel-2 band order is known for a model of {bandCount} bands (13 = EuroSAT MS, 3 = RGB)."),
    };

    [GeneratedRegex(@"(?<![A-Z0-9])(B0[1-9]|B1[0-2]|B8A)(?![A-Z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex BandPattern();

    [GeneratedRegex(@"_(\d+)m(?![A-Z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex ResolutionPattern();

    /// <summary>The band a file name names ("…_B8A_20m.jp2" → "B8A"), or null.</summary>
    public static string? BandOf(string fileName)
    {
        var matches = BandPattern().Matches(Path.GetFileNameWithoutExtension(fileName));
        return matches.Count == 1 ? matches[0].Value.ToUpperInvariant() : null;
    }

    /// <summary>
    /// The file of each band in <paramref name="order"/>, searched under <paramref name="folder"/> (recursively, so a
    /// SAFE product's GRANULE/*/IMG_DATA[/R10m|R20m|R60m] is found): JPEG 2000 or TIFF files whose name names one band.
    /// Where a band comes at several resolutions (Level-2A products), the finest is taken.
    /// </summary>
    /// <exception cref="InvalidDataException">A band is missing or named by two files of the same resolution; the message lists what was found.</exception>
    public static IReadOnlyList<string> FindFiles(string folder, IReadOnlyList<string> order)
    {
        var candidates = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".jp2" or ".tif" or ".tiff")
            .Select(f => (File: f, Band: BandOf(f), Resolution: Resolution(f)))
            .Where(c => c.Band is not null)
            .ToList();
        var files = new List<string>();
        foreach (var band in order)
        {
            var finest = candidates.Where(c => c.Band == band).GroupBy(c => c.Resolution).OrderBy(g => g.Key).FirstOrDefault();
            if (finest is null)
                throw new InvalidDataException($"{folder}: no file for band {band} (found {string.Join(", ", candidates.Select(c => c.Band).Distinct().Order())}; " +
                    $"the model needs {string.Join(", ", order)}{(band == "B10" ? "; Level-2A products have no B10, use Level-1C" : "")}).");
            if (finest.Count() > 1)
                throw new InvalidDataException($"{folder}: band {band} is named by several files: {string.Join(", ", finest.Select(c => Path.GetFileName(c.File)))}.");
            files.Add(finest.Single().File);
        }
        return files;
    }

    [GeneratedRegex(@"(?<![A-Z0-9])SCL(?![A-Z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex SceneClassificationPattern();

    /// <summary>
    /// The scene classification file (SCL) of a Level-2A product under <paramref name="folder"/>, the finest resolution
    /// where there are several (20 m and 60 m); null when there is none (Level-1C products, plain band folders).
    /// </summary>
    public static string? FindSceneClassification(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".jp2" or ".tif" or ".tiff"
                && SceneClassificationPattern().IsMatch(Path.GetFileNameWithoutExtension(f)))
            .OrderBy(Resolution).ThenBy(f => f, StringComparer.Ordinal)
            .FirstOrDefault();

    static int Resolution(string file) =>
        ResolutionPattern().Match(Path.GetFileNameWithoutExtension(file)) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0;
}
