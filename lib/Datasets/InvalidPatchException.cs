namespace CnnSentinel.Datasets;

/// <summary>A patch file that cannot be used: damaged, wrong size, wrong band count or type. The message names the file.</summary>
public sealed class InvalidPatchException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> with the problem in words.</summary>
    public InvalidPatchException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
