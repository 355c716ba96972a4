using CnnSentinel.Datasets;
using CnnSentinel.Scenes;
using SkiaSharp;

namespace CnnSentinel.Evaluation.Assessment;

/// <summary>
/// "The map beside its reference": an assessed map as a picture, the class map (as scored, in the legend's colours) on the left
/// and its reference on the same grid on the right, coloured by coarse group, with a legend of the groups and the classes.
/// Reference points are drawn as small discs of their group's colour over the faded map, each ringed green where the map is
/// right there and red where it is wrong; labelled pixels (polygons, a label raster) are filled with their group's colour.
/// </summary>
/// <remarks>
/// Real scenes are small (100–200 pixels across): both panels are enlarged by one whole factor, nearest neighbour, so that
/// each is about <see cref="TargetPanelWidth"/> pixels wide and a map pixel stays a square of flat colour.
/// </remarks>
internal static class AssessmentFigure
{
    /// <summary>The width each panel is enlarged towards.</summary>
    public const int TargetPanelWidth = 300;

    static readonly SKColor Right = new(0, 170, 0), Wrong = new(220, 0, 0);

    /// <summary>The whole factor by which a map <paramref name="width"/> pixels wide is enlarged (1 for maps wider than <see cref="TargetPanelWidth"/>).</summary>
    public static int Scale(int width) => Math.Max(1, (int)Math.Round((double)TargetPanelWidth / width));

    /// <summary>The radius, in picture pixels, of a reference point's disc on a map enlarged <paramref name="scale"/> times.</summary>
    public static int PointRadius(int scale) => Math.Max(3, scale);

    /// <summary>
    /// The colour of group <paramref name="group"/>: the mean of <paramref name="legend"/>'s colours of the map classes in it
    /// (so forest stays dark green and water blue), grey for a group no map class belongs to.
    /// </summary>
    public static SKColor GroupColor(ClassGroupMapping mapping, ClassLegend legend, int group)
    {
        var members = Enumerable.Range(0, EuroSatClasses.Count).Where(c => mapping.GroupOfMapClass(c) == group).Select(c => legend.Classes[c].Color).ToList();
        if (members.Count == 0) return new SKColor(160, 160, 160);
        return new SKColor((byte)members.Average(c => c.R), (byte)members.Average(c => c.G), (byte)members.Average(c => c.B));
    }

    /// <summary>Where the centre of map pixel (<paramref name="column"/>, <paramref name="row"/>) lies in the reference panel of <see cref="Draw"/>'s picture of a map <paramref name="mapWidth"/> wide.</summary>
    public static (int X, int Y) ReferencePixel(int mapWidth, int column, int row)
    {
        int scale = Scale(mapWidth);
        return (2 * ClassMapImage.FigureGap + mapWidth * scale + column * scale + scale / 2, ClassMapImage.FigureGap + ClassMapImage.FigureTitleHeight + row * scale + scale / 2);
    }

    /// <summary>The picture of <paramref name="assessment"/>, its classes in <paramref name="legend"/>'s colours.</summary>
    public static SKBitmap Draw(MapAssessment assessment, ClassLegend legend)
    {
        int width = assessment.MapWidth, height = assessment.ScoredClasses.Length / width, scale = Scale(width);
        var groupColors = Enumerable.Range(0, assessment.Groups.Count).Select(g => GroupColor(assessment.Mapping, legend, g)).ToList();
        using var map = ClassMapImage.Colorize(assessment.ScoredClasses, width, height, legend);
        using var reference = new SKBitmap(width * scale, height * scale, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(reference))
        {
            canvas.Clear(SKColors.White);
            var samples = assessment.Reference;
            if (samples.Kind == ReferenceKind.Points)
            {
                using var sampling = new SKPaint { FilterQuality = SKFilterQuality.None };
                canvas.DrawBitmap(map, new SKRect(0, 0, width * scale, height * scale), sampling);
                using var fade = new SKPaint { Color = SKColors.White.WithAlpha(150) };
                canvas.DrawRect(0, 0, width * scale, height * scale, fade);
                int radius = PointRadius(scale);
                for (int s = 0; s < samples.Pixels.Length; s++)
                {
                    float x = (samples.Pixels[s] % width + 0.5f) * scale, y = (samples.Pixels[s] / width + 0.5f) * scale;
                    using var ring = new SKPaint { Color = assessment.IsRight(s) ? Right : Wrong, Style = SKPaintStyle.Stroke, StrokeWidth = 2, IsAntialias = true };
                    using var disc = new SKPaint { Color = groupColors[samples.Groups[s]] };
                    canvas.DrawCircle(x, y, radius + 1, ring);
                    canvas.DrawCircle(x, y, radius, disc);
                }
            }
            else
            {
                using var labelled = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
                labelled.Erase(SKColors.Transparent);
                for (int s = 0; s < samples.Pixels.Length; s++)
                    labelled.SetPixel(samples.Pixels[s] % width, samples.Pixels[s] / width, groupColors[samples.Groups[s]]);
                using var sampling = new SKPaint { FilterQuality = SKFilterQuality.None };
                canvas.DrawBitmap(labelled, new SKRect(0, 0, width * scale, height * scale), sampling);
            }
        }
        var entries = assessment.Groups.Select((group, g) => new FigureLegendEntry(group, groupColors[g], SetApart: false)).ToList();
        if (assessment.Reference.Kind == ReferenceKind.Points)
            entries.AddRange([new FigureLegendEntry("ring: map right", Right, SetApart: true), new FigureLegendEntry("ring: map wrong", Wrong, SetApart: false)]);
        entries.AddRange(ClassMapImage.LegendEntries(legend).Select((e, i) => i == 0 ? e with { SetApart = true } : e));
        string kind = assessment.Reference.Kind == ReferenceKind.Points ? "points" : "labelled pixels";
        return ClassMapImage.Figure([("class map", map), ($"reference {kind} by group", reference)], "Legend: groups, then classes", entries, height * scale);
    }
}
