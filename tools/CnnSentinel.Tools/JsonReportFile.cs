using System.Text.Json;
using CnnSentinel.IO;

namespace CnnSentinel.Tools;

/// <summary>
/// The one way a run's report (notebooks, time to accuracy, scene scale) goes to and comes back from its JSON file:
/// written atomically, and read back with any fault — unreadable JSON, an empty or incomplete report — told as an
/// <see cref="InvalidDataException"/> that names the file and what it should have been.
/// </summary>
public static class JsonReportFile
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="path"/> atomically, with a final newline.</summary>
    public static void Write<T>(string path, T report, JsonSerializerOptions options) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, options) + "\n");

    /// <summary>Reads a report of type <typeparamref name="T"/> from <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The serializer options it was written with.</param>
    /// <param name="what">What the file should be, for the error ("a scene-scale report written by the bench").</param>
    /// <param name="incomplete">What is missing from a parsed report (e.g. "no runs"), or null when it is whole.</param>
    /// <exception cref="InvalidDataException">The file is not such a report; the message names it.</exception>
    public static T Read<T>(string path, JsonSerializerOptions options, string what, Func<T, string?>? incomplete = null) where T : class
    {
        try
        {
            var report = JsonSerializer.Deserialize<T>(File.ReadAllText(path), options) ?? throw new InvalidDataException("empty");
            return incomplete?.Invoke(report) is { } missing ? throw new InvalidDataException(missing) : report;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"{path} is not {what} ({e.Message}).", e);
        }
    }
}
