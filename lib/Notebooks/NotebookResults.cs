using System.Text.Json;
using CnnSentinel.IO;

namespace CnnSentinel.Notebooks;

/// <summary>
/// A small JSON file of the values a notebook reached (accuracies, counts, paths), written where the
/// test harness or a script can read them.
/// </summary>
/// <remarks>
/// The folder is <c>results</c> in the output folder (<see cref="ProjectPaths.Output"/>: <c>out/results</c> in the
/// repository unless <see cref="EnvironmentSettings.OutputVariable"/> moves it). Files are written atomically.
/// </remarks>
public static class NotebookResults
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The folder results are written to.</summary>
    public static string Directory => Path.Combine(ProjectPaths.Output, "results");

    /// <summary>Writes <paramref name="values"/> as <c>&lt;name&gt;.json</c> and returns the file's path.</summary>
    public static string Save(string name, object values)
    {
        var path = Path.Combine(Directory, name + ".json");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(values, Options));
        return path;
    }
}
