using System.Text;

namespace CnnSentinel.Models;

/// <summary>How a state dict's keys and shapes compare with a model's.</summary>
/// <param name="Missing">Keys the model has and the state dict lacks.</param>
/// <param name="Unexpected">Keys the state dict has and the model lacks.</param>
/// <param name="Mismatched">Keys both have, with the model's shape and the state dict's shape.</param>
/// <param name="Matched">Number of keys present in both with equal shapes.</param>
internal sealed record StateDictComparison(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<(string Key, long[] ModelShape, long[] FileShape)> Mismatched,
    int Matched)
{
    /// <summary>Whether every key matches in name and shape.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>A report listing up to <paramref name="limit"/> keys per kind of difference.</summary>
    public string Describe(int limit = 10)
    {
        if (IsExact) return $"all {Matched} keys match";
        var text = new StringBuilder($"{Matched} keys match; {Missing.Count} missing, {Unexpected.Count} unexpected, {Mismatched.Count} with another shape.");
        void List<T>(string title, IReadOnlyList<T> items, Func<T, string> show)
        {
            if (items.Count == 0) return;
            text.Append($"\n  {title}: ").Append(string.Join(", ", items.Take(limit).Select(show)));
            if (items.Count > limit) text.Append($", … ({items.Count - limit} more)");
        }
        List("missing (in the model, not in the file)", Missing, k => k);
        List("unexpected (in the file, not in the model)", Unexpected, k => k);
        List("shape differs (model vs file)", Mismatched, m => $"{m.Key} [{string.Join("×", m.ModelShape)}] vs [{string.Join("×", m.FileShape)}]");
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Describe();
}
