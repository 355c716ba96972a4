using CnnSentinel.Datasets;
using CnnSentinel.Raster;
using SkiaSharp;

namespace CnnSentinel.Scenes;

/// <summary>Pictures of class maps: colourised classes, confidence, and a figure with the scene, the map and the legend.</summary>
public static class ClassMapImage
{
    /// <summary>The class map in its legend colours; nodata pixels are transparent.</summary>
    /// <param name="classes">Class values, row after row.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="legend">Colours of the values.</param>
    public static SKBitmap Colorize(byte[] classes, int width, int height, ClassLegend legend)
    {
        if (classes.Length != width * height) throw new ArgumentException($"{classes.Length} class values for a {width}×{height} map.");
        var colors = legend.ColorTable();
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var value = classes[y * width + x];
                var c = colors[value];
                bitmap.SetPixel(x, y, value == SceneClassifier.NoDataClass ? SKColors.Transparent : new SKColor(c.R, c.G, c.B));
            }
        return bitmap;
    }

    /// <summary>Confidence (largest class probability) as a colour ramp: dark red where the model is unsure, light yellow where it is sure; NaN transparent.</summary>
    /// <param name="confidence">Values 0–1, row after row.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="floor">The value drawn darkest (1 / number of classes: the model cannot decide).</param>
    /// <param name="ceiling">The value drawn lightest (1: certain; lower to stretch a map whose values are all small).</param>
    public static SKBitmap Confidence(float[] confidence, int width, int height, float floor = 0.1f, float ceiling = 1f)
    {
        if (confidence.Length != width * height) throw new ArgumentException($"{confidence.Length} values for a {width}×{height} map.");
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var v = confidence[y * width + x];
                if (float.IsNaN(v)) { bitmap.SetPixel(x, y, SKColors.Transparent); continue; }
                var t = Math.Clamp((v - floor) / Math.Max(ceiling - floor, 1e-6f), 0, 1);
                bitmap.SetPixel(x, y, new SKColor((byte)(80 + 175 * t), (byte)(255 * t * t), (byte)(40 + 120 * t * t * t)));
            }
        return bitmap;
    }

    /// <summary>Pixels around and between a figure's panels.</summary>
    internal const int FigureGap = 12;

    /// <summary>Pixels above a figure's panels for their titles.</summary>
    internal const int FigureTitleHeight = 22;

    /// <summary>
    /// A figure: the given panels side by side (e.g. the scene and its class map, each with a title), scaled to
    /// <paramref name="panelHeight"/> pixels high, and the legend to their right: classes, masks (after a gap), nodata.
    /// With <paramref name="metresPerPixel"/> every panel gets a scale bar and a north arrow (the panels are north-up
    /// maps of the same ground); <paramref name="caption"/> (e.g. the acquisition date) goes under the panels.
    /// </summary>
    /// <param name="panels">Titles and pictures, side by side.</param>
    /// <param name="legend">The classes and masks to list.</param>
    /// <param name="panelHeight">Height of every panel in the figure, in pixels.</param>
    /// <param name="pixelCounts">Pixels per map value (<see cref="ClassLegend.ValueCount"/> of them): when given, masks the map does not
    /// hold are left out of the legend (a true-colour image cannot produce the scene classification's Cirrus or Snow). Null lists all.</param>
    /// <param name="metresPerPixel">Ground size of a pixel of the panels' pictures, in metres; null draws no scale bar or north arrow.</param>
    /// <param name="caption">A line under the panels; null for none.</param>
    public static SKBitmap Figure(IReadOnlyList<(string Title, SKBitmap Image)> panels, ClassLegend legend, int panelHeight = 400,
        IReadOnlyList<long>? pixelCounts = null, double? metresPerPixel = null, string? caption = null) =>
        Figure(panels, "Legend (value: class)", LegendEntries(legend, pixelCounts), panelHeight, metresPerPixel, caption);

    /// <summary>
    /// The entries of <paramref name="legend"/> as a figure lists them: classes, masks (set apart), nodata; with
    /// <paramref name="pixelCounts"/>, only the masks that have pixels.
    /// </summary>
    internal static IReadOnlyList<FigureLegendEntry> LegendEntries(ClassLegend legend, IReadOnlyList<long>? pixelCounts = null)
    {
        var listed = legend.Entries.Where(e => pixelCounts is null || e.Value < legend.Classes.Count || pixelCounts[e.Value] > 0).ToList();
        return listed.Select((e, i) => new FigureLegendEntry($"{e.Value}: {e.Name}", new SKColor(e.Color.R, e.Color.G, e.Color.B), SetApart: i == legend.Classes.Count))
            .Append(new FigureLegendEntry($"{SceneClassifier.NoDataClass}: no data", SKColors.Transparent, SetApart: listed.Count == legend.Classes.Count)).ToList();
    }

    /// <summary>
    /// A figure: the given panels side by side, each under its title and scaled to <paramref name="panelHeight"/> pixels high
    /// (nearest neighbour), and a legend of <paramref name="entries"/> under <paramref name="legendTitle"/> to their right.
    /// Panel i's top-left corner lies <see cref="FigureGap"/> right of panel i − 1 (of the figure's edge for the first) and
    /// <see cref="FigureGap"/> + <see cref="FigureTitleHeight"/> below the top. With <paramref name="metresPerPixel"/> (ground size
    /// of a pixel of the panels' pictures) every panel gets a scale bar and a north arrow; <paramref name="caption"/> goes under the panels.
    /// </summary>
    internal static SKBitmap Figure(IReadOnlyList<(string Title, SKBitmap Image)> panels, string legendTitle, IReadOnlyList<FigureLegendEntry> entries, int panelHeight,
        double? metresPerPixel = null, string? caption = null)
    {
        const int gap = FigureGap, titleHeight = FigureTitleHeight, swatch = 14, legendWidth = 240, captionHeight = 22;
        var widths = panels.Select(p => (int)Math.Round(p.Image.Width * (double)panelHeight / p.Image.Height)).ToList();
        const int row = swatch + 6;
        int legendHeight = entries.Count * row + entries.Count(e => e.SetApart) * (row / 2) + titleHeight;
        int below = caption is null ? 0 : captionHeight;
        var figure = new SKBitmap(widths.Sum() + gap * (panels.Count + 1) + legendWidth,
            Math.Max(panelHeight + below, legendHeight) + titleHeight + 2 * gap, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(figure);
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 14 };
        using var sampling = new SKPaint { FilterQuality = SKFilterQuality.None };
        int left = gap;
        for (int i = 0; i < panels.Count; i++)
        {
            canvas.DrawText(panels[i].Title, left, gap + 14, text);
            var area = new SKRect(left, gap + titleHeight, left + widths[i], gap + titleHeight + panelHeight);
            canvas.DrawBitmap(panels[i].Image, area, sampling);
            if (metresPerPixel is { } size)
            {
                DrawScaleBar(canvas, area, size * panels[i].Image.Height / panelHeight);
                DrawNorthArrow(canvas, area);
            }
            left += widths[i] + gap;
        }
        if (caption is not null) canvas.DrawText(caption, gap, gap + titleHeight + panelHeight + 16, text);
        canvas.DrawText(legendTitle, left, gap + 14, text);
        int top = gap + titleHeight;
        foreach (var (label, color, setApart) in entries)
        {
            if (setApart) top += row / 2;
            using var fill = new SKPaint { Color = color };
            using var border = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke };
            canvas.DrawRect(left, top, swatch, swatch, fill);
            canvas.DrawRect(left, top, swatch, swatch, border);
            canvas.DrawText(label, left + swatch + 6, top + swatch - 2, text);
            top += row;
        }
        return figure;
    }

    /// <summary>The longest round length (1, 2 or 5 times a power of ten metres) that fits a quarter of the panel, as a bar at its lower left.</summary>
    static void DrawScaleBar(SKCanvas canvas, SKRect area, double metresPerFigurePixel)
    {
        double most = area.Width / 4 * metresPerFigurePixel;
        double power = Math.Pow(10, Math.Floor(Math.Log10(most)));
        double metres = new[] { 5, 2, 1 }.Select(m => m * power).First(m => m <= most);
        float length = (float)(metres / metresPerFigurePixel);
        string label = metres >= 1000 ? $"{metres / 1000:0.###} km" : $"{metres:0.###} m";
        using var font = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 12 };
        float x = area.Left + 8, y = area.Bottom - 10;
        using var box = new SKPaint { Color = new SKColor(255, 255, 255, 210) };
        canvas.DrawRect(x - 4, y - 22, Math.Max(length, font.MeasureText(label)) + 8, 28, box);
        using var black = new SKPaint { Color = SKColors.Black };
        using var outline = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(x, y - 4, length / 2, 4, black); // the usual alternating halves
        canvas.DrawRect(x, y - 4, length, 4, outline);
        canvas.DrawText(label, x, y - 8, font);
    }

    /// <summary>An arrow pointing up with an N, at the panel's upper right (the map's rows run north to south).</summary>
    static void DrawNorthArrow(SKCanvas canvas, SKRect area)
    {
        float x = area.Right - 18, y = area.Top + 8;
        using var box = new SKPaint { Color = new SKColor(255, 255, 255, 210) };
        canvas.DrawRect(x - 12, y - 4, 24, 44, box);
        using var path = new SKPath();
        path.MoveTo(x, y + 14);
        path.LineTo(x - 7, y + 36);
        path.LineTo(x, y + 30);
        path.LineTo(x + 7, y + 36);
        path.Close();
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawPath(path, black);
        using var font = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 13, TextAlign = SKTextAlign.Center, FakeBoldText = true };
        canvas.DrawText("N", x, y + 11, font);
    }

    /// <summary>
    /// The scene in true colour (its red, green and blue bands, B04, B03, B02), to show beside its map. 8-bit bands
    /// (a TCI image, EuroSAT-like RGB) are shown as they are; others (reflectance in 16 bits, floats) get one linear
    /// stretch between the 2nd and 98th percentiles of the three bands together, so colours keep their balance.
    /// </summary>
    public static SKBitmap TrueColor(SceneInput scene)
    {
        var bands = SentinelBands.TrueColourNames.Select(name => scene.BandNames.ToList().IndexOf(name) is var i and >= 0
            ? scene.Bands[i]
            : throw new InvalidDataException($"{scene.Path}: no {name} band for a true-colour picture.")).ToArray();
        int width = scene.Raster.Width, height = scene.Raster.Height, plane = width * height;
        var values = scene.Raster.Read(0, 0, width, height, bands);
        var (low, high) = bands.All(b => scene.Raster.DataType(b) == RasterDataType.Byte) ? (0f, 255f) : Percentiles(values, 0.02, 0.98);
        var scale = 255f / Math.Max(high - low, 1e-6f);
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        byte Channel(float v) => float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp((v - low) * scale + 0.5f, 0, 255);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = y * width + x;
                bitmap.SetPixel(x, y, new SKColor(Channel(values[p]), Channel(values[plane + p]), Channel(values[2 * plane + p])));
            }
        return bitmap;
    }

    static (float Low, float High) Percentiles(float[] values, double low, double high)
    {
        // A regular sample of at most a million values is plenty for display limits.
        int step = Math.Max(1, values.Length / 1_000_000);
        var sample = values.Where((_, i) => i % step == 0).Where(v => !float.IsNaN(v)).Order().ToArray();
        if (sample.Length == 0) return (0, 1);
        return (sample[(int)(low * (sample.Length - 1))], sample[(int)(high * (sample.Length - 1))]);
    }

    /// <summary>PNG bytes of <paramref name="bitmap"/>.</summary>
    public static byte[] ToPng(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

/// <summary>One line of a figure's legend.</summary>
/// <param name="Label">The text beside the swatch.</param>
/// <param name="Color">The swatch's colour.</param>
/// <param name="SetApart">Whether a half-line gap comes before it (e.g. the masks after the classes).</param>
internal sealed record FigureLegendEntry(string Label, SKColor Color, bool SetApart);
