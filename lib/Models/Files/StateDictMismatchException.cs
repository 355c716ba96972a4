namespace CnnSentinel.Models;

/// <summary>
/// A strict load found a state dict whose keys or shapes differ from the model's: the file is not one for this model
/// (bad input, which the command line reports on one line).
/// </summary>
internal sealed class StateDictMismatchException : UserErrorException
{
    /// <summary>Creates the exception for <paramref name="source"/> and <paramref name="model"/>.</summary>
    public StateDictMismatchException(string source, string model, StateDictComparison comparison)
        : base($"{source} does not fit {model}: {comparison.Describe()}\n" +
               "Is it the state dict of another architecture, band count or class count? Load with strict: false to take the matching keys only.")
    {
        Comparison = comparison;
    }

    /// <summary>The differences found.</summary>
    public StateDictComparison Comparison { get; }
}
