using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CnnSentinel.IO;

namespace CnnSentinel.Scenes;

/// <summary>
/// What made a scene's outputs (<c>&lt;stem&gt;_run.json</c>, written after them): the input (its full path and the
/// size and modification time of its files), the model file's SHA-256, and every option that changes the map. A
/// scene is "already done" only when its outputs exist and the record matches the new request exactly; the
/// differing settings are named otherwise.
/// </summary>
/// <param name="Settings">Setting name → value, compared as text.</param>
internal sealed record SceneRunRecord(IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>The setting that names the input: outputs of another input under the same file names are not overwritten without --force.</summary>
    public const string InputKey = "input";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The record of a request to classify <paramref name="input"/> (a file or a folder of band files) with <paramref name="modelFile"/>.</summary>
    /// <param name="input">The scene path as given.</param>
    /// <param name="modelFile">The model (or weights) file.</param>
    /// <param name="options">The options that change the map (mode, stride, bands, nodata, …), by name.</param>
    public static SceneRunRecord For(string input, string modelFile, IEnumerable<KeyValuePair<string, string>> options)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [InputKey] = Path.GetFullPath(input),
            ["input files"] = InputDigest(input),
            ["model"] = $"{Path.GetFullPath(modelFile)}, sha256 {FileSha256(modelFile)}",
            ["program"] = typeof(SceneRunRecord).Assembly.GetName().Version?.ToString() ?? "unknown",
        };
        foreach (var (key, value) in options) settings[key] = value;
        return new SceneRunRecord(settings);
    }

    /// <summary>The settings in which <paramref name="other"/> differs from this record, by name.</summary>
    public IReadOnlyList<string> DifferencesFrom(SceneRunRecord other) =>
        Settings.Keys.Union(other.Settings.Keys).Order(StringComparer.Ordinal)
            .Where(k => Settings.GetValueOrDefault(k) != other.Settings.GetValueOrDefault(k)).ToList();

    /// <summary>The record as the JSON text of its file.</summary>
    public string ToJson() => JsonSerializer.Serialize(Settings, Json) + "\n";

    /// <summary>The record at <paramref name="path"/>; null when missing or unreadable (the outputs then count as not done).</summary>
    public static SceneRunRecord? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) is { } settings ? new SceneRunRecord(settings) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Size and modification time, not content: hashing gigabytes of bands on every rerun would cost more than the
    // check saves. A folder (SAFE product, band files) is listed recursively.
    static string InputDigest(string input)
    {
        var files = Directory.Exists(input)
            ? Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : File.Exists(input) ? [input] : throw new FileNotFoundException($"{input}: no such file or folder.", input);
        var text = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            text.Append(CultureInfo.InvariantCulture, $"{Path.GetRelativePath(input, file)}|{info.Length}|{info.LastWriteTimeUtc.Ticks}\n");
        }
        return $"{files.Count} file(s), {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]}";
    }

    static string FileSha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
