using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace CnnSentinel.IO;

/// <summary>
/// The CSV dialect of every file the library writes, through CsvHelper: invariant culture, <c>\n</c> line ends, a
/// field quoted only where it needs it (a class name may hold a comma or a quote, since names are free text).
/// </summary>
internal static class CsvText
{
    /// <summary>How the library writes CSV.</summary>
    public static readonly CsvConfiguration Writing = new(CultureInfo.InvariantCulture) { NewLine = "\n" };

    /// <summary>How the library reads CSV (any line ends).</summary>
    public static readonly CsvConfiguration Reading = new(CultureInfo.InvariantCulture);

    /// <summary>The CSV text of the rows <paramref name="write"/> writes.</summary>
    public static string Write(Action<CsvWriter> write)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, Writing)) write(csv);
        return text.ToString();
    }

    /// <summary>Writes one row of <paramref name="fields"/> (strings as they are, numbers in the invariant culture).</summary>
    public static void Row(this CsvWriter csv, params IEnumerable<object?> fields)
    {
        foreach (var field in fields) csv.WriteField(field is IFormattable number ? number.ToString(null, CultureInfo.InvariantCulture) : field?.ToString());
        csv.NextRecord();
    }
}
