namespace CnnSentinel.Runtime;

/// <summary>
/// Where the library keeps files it derives once and reuses: the patched native runtime,
/// converted pretrained weights, decoded datasets.
/// </summary>
/// <remarks>
/// Resolution order: the <c>CNNSENTINEL_CACHE_DIR</c> environment variable, then
/// <c>$XDG_CACHE_HOME/cnnsentinel</c>, then <c>~/.cache/cnnsentinel</c>. Everything under it may be
/// deleted at any time; it is rebuilt on next use.
/// </remarks>
public static class CacheDirectory
{
    /// <summary>The environment variable that overrides the cache location.</summary>
    public const string EnvironmentVariable = "CNNSENTINEL_CACHE_DIR";

    /// <summary>The cache root (not created by reading this property).</summary>
    public static string Root
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(overridden)) return Path.GetFullPath(overridden);
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var baseDir = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(baseDir, "cnnsentinel");
        }
    }
}
