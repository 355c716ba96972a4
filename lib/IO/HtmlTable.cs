using System.Text;

namespace CnnSentinel.IO;

/// <summary>
/// The one HTML table renderer of the library's displays (confusion matrix, model summary, band statistics, notebook
/// tables): a heading row, then the rows, every cell's text and title escaped.
/// </summary>
internal static class HtmlTable
{
    /// <summary>A <c>&lt;table&gt;</c> of <paramref name="class"/> (none when null) with <paramref name="headings"/> as its head and <paramref name="rows"/> as its body.</summary>
    public static string Render(string? @class, IEnumerable<HtmlCell> headings, IEnumerable<IEnumerable<HtmlCell>> rows)
    {
        var html = new StringBuilder("<table");
        if (@class is not null) html.Append(" class=\"").Append(@class).Append('"');
        html.Append("><thead><tr>");
        foreach (var heading in headings) Append(html, heading with { IsHeading = true });
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) Append(html, cell);
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary><paramref name="text"/> safe inside an element or a quoted attribute: only the characters HTML gives a meaning are replaced.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    static void Append(StringBuilder html, HtmlCell cell)
    {
        var tag = cell.IsHeading ? "th" : "td";
        html.Append('<').Append(tag);
        if (cell.Title is not null) html.Append(" title=\"").Append(Escape(cell.Title)).Append('"');
        if (cell.Align is not null) html.Append(" style=\"text-align:").Append(cell.Align).Append('"');
        html.Append('>').Append(cell.IsBold ? "<b>" : "").Append(Escape(cell.Text)).Append(cell.IsBold ? "</b>" : "").Append("</").Append(tag).Append('>');
    }
}
