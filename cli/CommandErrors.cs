using CnnSentinel.Raster;

namespace CnnSentinel.Cli;

/// <summary>
/// How commands end on bad input: a one-line message naming the command and the problem (the
/// library's messages name the file or option), exit code 1, no stack trace. Bad input is a
/// <see cref="UserErrorException"/> (an option, a model or a setting that does not fit), a file that cannot be
/// read or does not hold what it should (<see cref="IOException"/>, <see cref="InvalidDataException"/>,
/// <see cref="GdalException"/>) or one that may not be read or written. Everything else — an
/// <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/> from inside the library
/// included — is a programming error and crashes loudly, with its stack trace.
/// </summary>
static class CommandErrors
{
    /// <summary>Runs <paramref name="work"/>; bad input is printed as <c>command: message</c> and gives exit code 1.</summary>
    public static int Run(string command, Func<int> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return 1;
        }
    }

    /// <summary>Whether <paramref name="error"/> reports bad input rather than a bug.</summary>
    static bool IsBadInput(Exception error) =>
        error is UserErrorException or IOException or InvalidDataException or UnauthorizedAccessException or GdalException;
}
