namespace CnnSentinel.IO;

/// <summary>One cell of an <see cref="HtmlTable"/>.</summary>
/// <param name="Text">The text shown (escaped when rendered).</param>
/// <param name="Align">The text alignment (<c>left</c>, <c>right</c>); the page's when null.</param>
/// <param name="IsHeading">A heading cell (<c>&lt;th&gt;</c>), as at the start of a row that names it.</param>
/// <param name="IsBold">Shown in bold, as a confusion matrix's diagonal.</param>
/// <param name="Title">Shown on hovering; none when null.</param>
internal sealed record HtmlCell(string Text, string? Align = null, bool IsHeading = false, bool IsBold = false, string? Title = null)
{
    /// <summary>A plain cell of <paramref name="text"/>.</summary>
    public static implicit operator HtmlCell(string text) => new(text);

    /// <summary>A cell of <paramref name="text"/> aligned left.</summary>
    public static HtmlCell Left(string text) => new(text, "left");

    /// <summary>A cell of <paramref name="text"/> aligned right.</summary>
    public static HtmlCell Right(string text) => new(text, "right");
}
