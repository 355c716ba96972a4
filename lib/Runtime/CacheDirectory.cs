namespace CnnSentinel.Runtime;

/// <summary>
/// Where the library keeps files it derives once and reuses: the patched native runtime,
/// converted pretrained weights, decoded datasets.
/// </summary>
/// <remarks>
/// Resolution order: <see cref="EnvironmentSettings.CacheVariable"/> (<c>CNNSENTINEL_CACHE_DIR</c>), then
/// <c>$XDG_CACHE_HOME/cnnsentinel</c>, then <c>~/.cache/cnnsentinel</c>. Everything under it may be
/// deleted at any time; it is rebuilt on next use.
/// </remarks>
public static class CacheDirectory
{
    /// <summary>The cache root (not created by reading this property).</summary>
    public static string Root =>
        EnvironmentSettings.CacheDirectory is { } overridden
            ? Path.GetFullPath(overridden)
            : Path.Combine(EnvironmentSettings.XdgCacheHome ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "cnnsentinel");
}
