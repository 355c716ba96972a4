using System.Globalization;
using System.Reflection;
using CnnSentinel.IO;

namespace CnnSentinel.Notebooks;

/// <summary>
/// Rows of values shown as one flat table in a notebook (one column per property), with numbers rounded for reading:
/// the kernel's default display of a list of records or anonymous objects is a collapsed tree with every digit.
/// </summary>
/// <param name="Columns">Column headings.</param>
/// <param name="Rows">The values, one list per row, in column order.</param>
public sealed record Table(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
    /// <summary>A table of <paramref name="rows"/> with a column per public property of <typeparamref name="T"/> (records, anonymous objects).</summary>
    public static Table Of<T>(IEnumerable<T> rows)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        return new Table(properties.Select(p => p.Name).ToList(),
            rows.Select(r => (IReadOnlyList<object?>)properties.Select(p => p.GetValue(r)).ToList()).ToList());
    }

    /// <summary>An HTML table: text left-aligned, numbers right-aligned; fractions with 3 decimals, whole numbers with thousands separators.</summary>
    public string ToHtml() => HtmlTable.Render("cnnsentinel-table", Columns.Select(c => new HtmlCell(c)),
        Rows.Select(row => row.Select(value => IsNumber(value) ? HtmlCell.Right(Format(value)) : HtmlCell.Left(Format(value)))));

    /// <summary>The same as tab-separated text.</summary>
    public override string ToString() =>
        string.Join("\n", new[] { string.Join("\t", Columns) }.Concat(Rows.Select(r => string.Join("\t", r.Select(Format)))));

    static bool IsNumber(object? value) => value is double or float or decimal or int or long or short or byte or uint or ulong;

    static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString(Math.Abs(d) >= 1000 ? "N0" : "0.000", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString(Math.Abs(f) >= 1000 ? "N0" : "0.000", CultureInfo.InvariantCulture),
        int or long or short or byte or uint or ulong => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
