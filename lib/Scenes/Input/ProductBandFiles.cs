using System.Text.RegularExpressions;

namespace CnnSentinel.Scenes;

/// <summary>
/// Finds Sentinel-2 band files by name (B01 … B12, B8A) in a folder or a SAFE product, so band order is checked from
/// names and never assumed from file order. The bands themselves (order, true colour, wavelengths) are
/// <see cref="Datasets.SentinelBands"/>.
/// </summary>
internal static partial class ProductBandFiles
{

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
