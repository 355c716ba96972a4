namespace CnnSentinel;

/// <summary>
/// An error the user can fix — an option out of range, a file or model that does not fit the task, a setting of the
/// machine — as opposed to a programming error. Its message names the option or file and the problem; the command
/// line prints it on one line and exits with 1, while any other <see cref="ArgumentException"/> or
/// <see cref="InvalidOperationException"/> is a bug and keeps its stack trace.
/// </summary>
public class UserErrorException : Exception
{
    /// <summary>Creates the exception with a message that names what is wrong and, where it helps, how to fix it.</summary>
    public UserErrorException(string message) : base(message) { }

    /// <summary>Creates the exception with the failure that revealed the problem.</summary>
    public UserErrorException(string message, Exception inner) : base(message, inner) { }
}
