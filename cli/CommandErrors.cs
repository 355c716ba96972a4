using CnnSentinel.Raster;

namespace CnnSentinel.Cli;

/// <summary>
/// How commands end on bad input: a one-line message naming the command and the problem (the
/// library's messages name the file), exit code 1, no stack trace. Programming errors still crash loudly.
/// </summary>
static class CommandErrors
{
    /// <summary>Runs <paramref name="work"/>; an expected failure is printed as <c>command: message</c> and gives exit code 1.</summary>
    public static int Run(string command, Func<int> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException or UnauthorizedAccessException
                                       or GdalException)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return 1;
        }
    }
}
