namespace CnnSentinel.Notebooks;

/// <summary>
/// Quick or full: every notebook runs in one of two modes. Quick uses the bundled sample and a few
/// steps (the test suite runs it); full is the real run.
/// </summary>
/// <remarks>The environment variable <c>CNNSENTINEL_MODE</c> (<c>quick</c> or <c>full</c>) chooses; unset means full.</remarks>
public static class RunMode
{
    /// <summary>The environment variable that chooses the mode.</summary>
    public const string EnvironmentVariable = "CNNSENTINEL_MODE";

    /// <summary>True when <c>CNNSENTINEL_MODE=quick</c>.</summary>
    public static bool IsQuick
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant();
            return value switch
            {
                null or "" or "full" => false,
                "quick" => true,
                _ => throw new ArgumentException($"{EnvironmentVariable} must be 'quick' or 'full', not '{value}'."),
            };
        }
    }
}
