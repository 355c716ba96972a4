namespace CnnSentinel;

/// <summary>
/// Every environment variable the library reads, in one place: what each one changes and what holds when it is unset.
/// Each is read when asked for, so that a variable set by a test or a notebook cell takes effect at once.
/// </summary>
internal static class EnvironmentSettings
{
    /// <summary>
    /// <c>CNNSENTINEL_MODE</c>: <c>quick</c> or <c>full</c> (unset: full), the notebooks' run mode
    /// (<see cref="Notebooks.RunMode"/>). The test suite sets quick.
    /// </summary>
    public const string ModeVariable = "CNNSENTINEL_MODE";

    /// <summary>
    /// <c>CNNSENTINEL_OUTPUT_DIR</c>: where runs write what they produce (<see cref="ProjectPaths.Output"/>; unset:
    /// <c>out/</c> in the checkout). The tests point it at <c>out/test-notebooks</c> so that their notebook runs never
    /// overwrite what <c>./run.sh</c> produced.
    /// </summary>
    public const string OutputVariable = "CNNSENTINEL_OUTPUT_DIR";

    /// <summary>
    /// <c>CNNSENTINEL_CACHE_DIR</c>: the cache of derived files (the patched native runtime, converted weights; unset:
    /// <c>$XDG_CACHE_HOME/cnnsentinel</c>, else <c>~/.cache/cnnsentinel</c>).
    /// </summary>
    public const string CacheVariable = "CNNSENTINEL_CACHE_DIR";

    /// <summary>The run mode as set (<see cref="ModeVariable"/>), trimmed and lower case; null when unset or empty.</summary>
    public static string? Mode => Read(ModeVariable)?.Trim().ToLowerInvariant() is { Length: > 0 } mode ? mode : null;

    /// <summary>The output folder as set (<see cref="OutputVariable"/>); null when unset.</summary>
    public static string? OutputDirectory => Read(OutputVariable);

    /// <summary>The cache folder as set (<see cref="CacheVariable"/>); null when unset.</summary>
    public static string? CacheDirectory => Read(CacheVariable);

    /// <summary><c>XDG_CACHE_HOME</c>, the user's cache root on Linux, under which the cache goes when <see cref="CacheVariable"/> is unset.</summary>
    public static string? XdgCacheHome => Read("XDG_CACHE_HOME");

    /// <summary><c>NUGET_PACKAGES</c>, NuGet's global packages folder where it is moved: the first place the ONNX ResNet18 is looked for.</summary>
    public static string? NuGetPackages => Read("NUGET_PACKAGES");

    /// <summary>Whether <c>GDAL_CACHEMAX</c> is set: GDAL then sizes its block cache from it, and the library leaves it alone.</summary>
    public static bool GdalCacheMaxIsSet => Read("GDAL_CACHEMAX") is not null;

    /// <summary><c>PATH</c>, which the notebook runner extends for the kernel it starts; empty when unset.</summary>
    public static string SearchPath => Read("PATH") ?? "";

    /// <summary>The variable's value; null when it is unset or blank (a blank setting means "not set" for all of them).</summary>
    static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;
}
