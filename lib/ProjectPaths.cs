namespace CnnSentinel;

/// <summary>
/// Default locations inside a clone of the repository, so that notebooks and commands started from
/// any of its folders find the bundled data and write to the same output folder.
/// </summary>
public static class ProjectPaths
{
    /// <summary>The nearest folder at or above the current directory that holds CnnSentinel.Lib.csproj; the current directory when there is none.</summary>
    public static string Root
    {
        get
        {
            var start = Directory.GetCurrentDirectory();
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CnnSentinel.Lib.csproj"))) return dir.FullName;
            return start;
        }
    }

    /// <summary><c>Root/out</c>: everything the runs produce (executed notebooks, results, models, maps).</summary>
    public static string Output => Path.Combine(Root, "out");
}
