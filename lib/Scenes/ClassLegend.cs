using CnnSentinel.Datasets;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// Which value of a class map is which class, and its colour — written beside every map as JSON, CSV and
/// Markdown, because "which class is which number" was the original's most asked question (issues #4, #6, #8).
/// </summary>
public sealed class ClassLegend
{
    /// <summary>The legend of the classes, in value order.</summary>
    public ClassLegend(IReadOnlyList<LandUseClass> classes)
    {
        if (classes.Count is 0 or > SceneClassifier.NoDataClass)
            throw new ArgumentException($"A class map holds 1 to {SceneClassifier.NoDataClass} classes, not {classes.Count}.");
        for (int i = 0; i < classes.Count; i++)
            if (classes[i].Value != i) throw new ArgumentException($"Class values must be 0, 1, 2, …; {classes[i].Name} has {classes[i].Value} at position {i}.");
        Classes = classes;
    }

    /// <summary>The original browser app's colours, in class-index order (declared before <see cref="EuroSat"/>, which reads it).</summary>
    static readonly RgbColor[] OriginalAppColours =
    [
        new(0, 255, 255), // AnnualCrop
        new(0, 255, 0), // Forest
        new(0, 125, 0), // HerbaceousVegetation
        new(30, 30, 30), // Highway
        new(100, 30, 30), // Industrial
        new(0, 125, 0), // Pasture
        new(0, 125, 125), // PermanentCrop
        new(100, 100, 100), // Residential
        new(0, 0, 255), // River
        new(0, 0, 255), // SeaLake
    ];

    /// <summary>
    /// EuroSAT's ten classes in the original's index order (alphabetical), coloured as the original's browser app
    /// painted them. That app gave HerbaceousVegetation and Pasture one green, River and SeaLake one blue; the
    /// values still tell them apart.
    /// </summary>
    public static ClassLegend EuroSat { get; } = new(EuroSatClasses.Names.Select((name, i) => new LandUseClass(i, name, OriginalAppColours[i])).ToList());

    /// <summary>The classes, value i at position i.</summary>
    public IReadOnlyList<LandUseClass> Classes { get; }

    /// <summary>The colour where the input had no data (not a class: the map marks those pixels as nodata).</summary>
    public static RgbColor NoDataColor { get; } = new(255, 255, 255);

    /// <summary>A full 256-entry colour table: the class colours, <see cref="NoDataColor"/> at the nodata value, black elsewhere.</summary>
    public IReadOnlyList<RgbColor> ColorTable()
    {
        var table = Enumerable.Repeat(new RgbColor(0, 0, 0), 256).ToArray();
        foreach (var c in Classes) table[c.Value] = c.Color;
        table[SceneClassifier.NoDataClass] = NoDataColor;
        return table;
    }

    /// <summary>The legend as JSON: classes with value, name and colour; the nodata value; how to read the files; per-class pixel counts when given.</summary>
    public string ToJson(IReadOnlyList<long>? pixelCounts = null) => JsonSerializer.Serialize(new
    {
        classes = Classes.Select(c => new
        {
            value = c.Value,
            name = c.Name,
            color = new[] { c.Color.R, c.Color.G, c.Color.B },
            hex = c.Color.Hex,
            pixels = pixelCounts?[c.Value],
        }),
        nodata = SceneClassifier.NoDataClass,
        howToRead = HowToRead,
    }, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The legend as CSV: value,name,red,green,blue,hex (and pixels when counts are given).</summary>
    public string ToCsv(IReadOnlyList<long>? pixelCounts = null)
    {
        var csv = new StringBuilder(pixelCounts is null ? "value,name,red,green,blue,hex\n" : "value,name,red,green,blue,hex,pixels\n");
        foreach (var c in Classes)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{c.Value},{c.Name},{c.Color.R},{c.Color.G},{c.Color.B},{c.Color.Hex}");
            csv.Append(pixelCounts is null ? "\n" : string.Create(CultureInfo.InvariantCulture, $",{pixelCounts[c.Value]}\n"));
        }
        return csv.ToString();
    }

    /// <summary>The legend as a Markdown table followed by <see cref="HowToRead"/>.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder("| value | class | colour (RGB) |\n| --- | --- | --- |\n");
        foreach (var c in Classes) md.Append(CultureInfo.InvariantCulture, $"| {c.Value} | {c.Name} | {c.Color.R}, {c.Color.G}, {c.Color.B} ({c.Color.Hex}) |\n");
        md.Append(CultureInfo.InvariantCulture, $"| {SceneClassifier.NoDataClass} | no data | — |\n\n").Append(HowToRead).Append('\n');
        return md.ToString();
    }

    /// <summary>How to read the class and probability files (the answer to the original's issues #4, #6, #8).</summary>
    public const string HowToRead =
        "The class map (*_classes.tif, Byte) holds, for every pixel, the value of the class whose 64x64 window centred on that " +
        "pixel the model found most likely; 255 means the input had no data there. The probability map (*_probability.tif, " +
        "Float32) holds that class's softmax probability, 0 to 1 (NaN = no data): 1/number-of-classes means the model could " +
        "not decide, near 1 that it is confident (which is not the same as correct). *_probabilities.tif, when written, has " +
        "one band per class (band i+1 = class value i) with all probabilities; they sum to 1 per pixel.";
}
