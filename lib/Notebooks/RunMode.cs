
namespace CnnSentinel.Notebooks;

/// <summary>
/// Quick or full: every notebook runs in one of two modes. Quick uses the bundled sample and a few
/// steps (the test suite runs it); full is the real run.
/// </summary>
/// <remarks>The environment variable <c>CNNSENTINEL_MODE</c> (<see cref="EnvironmentSettings.ModeVariable"/>: <c>quick</c> or <c>full</c>) chooses; unset means full.</remarks>
public static class RunMode
{
    /// <summary>The environment variable that chooses: <c>CNNSENTINEL_MODE</c> (what a notebook runner sets for the kernel it starts).</summary>
    public const string Variable = EnvironmentSettings.ModeVariable;

    /// <summary>True when <c>CNNSENTINEL_MODE=quick</c>.</summary>
    public static bool IsQuick => EnvironmentSettings.Mode switch
    {
        null or "full" => false,
        "quick" => true,
        var other => throw new UserErrorException($"{EnvironmentSettings.ModeVariable} must be 'quick' or 'full', not '{other}'."),
    };
}
