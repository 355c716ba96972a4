using CnnSentinel.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using CnnSentinel.Datasets;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// Which value of a class map is which class or mask, and its colour — in the map itself (colour table, category
/// names), in a QGIS style, and beside it as JSON, CSV and Markdown, because "which class is which number" was the
/// original's most asked question (issues #4, #6, #8).
/// </summary>
/// <remarks>
/// Values 0 to <c>classes − 1</c> are the model's classes; the <see cref="MapMask"/> values follow (10–14), and
/// <see cref="SceneClassifier.NoDataClass"/> (255) is nodata. The masks are always listed, present in a map or not,
/// so that every map of a run has the same colour table, category names and style.
/// </remarks>
public sealed class ClassLegend
{
    /// <summary>The legend of the classes, in value order, followed by <see cref="Masks"/>.</summary>
    /// <exception cref="ArgumentException">No classes, more than the values below the first mask, or values out of order.</exception>
    public ClassLegend(IReadOnlyList<LandUseClass> classes)
    {
        if (classes.Count is 0 || classes.Count > Masks[0].Value)
            throw new ArgumentException($"A class map holds 1 to {Masks[0].Value} classes (values from {Masks[0].Value} are masks), not {classes.Count}.");
        for (int i = 0; i < classes.Count; i++)
            if (classes[i].Value != i) throw new ArgumentException($"Class values must be 0, 1, 2, …; {classes[i].Name} has {classes[i].Value} at position {i}.");
        Classes = classes;
        Entries = [.. classes, .. Masks];
    }

    // The colour arrays are declared before EuroSat, which reads them while the type initialises.

    /// <summary>
    /// One colour per EuroSAT class, in class-index order, in the hues a map reader expects: crops yellow and orange,
    /// vegetation greens (forest dark, pasture light, herbaceous olive), built-up red, purple and dark grey, water blues
    /// (river lighter than sea and lake).
    /// </summary>
    static readonly RgbColor[] DistinctColours =
    [
        new(238, 212, 94), // AnnualCrop
        new(17, 102, 34), // Forest
        new(143, 153, 54), // HerbaceousVegetation
        new(77, 77, 77), // Highway
        new(136, 86, 167), // Industrial
        new(145, 218, 104), // Pasture
        new(242, 140, 40), // PermanentCrop
        new(204, 51, 51), // Residential
        new(51, 170, 238), // River
        new(16, 64, 176), // SeaLake
    ];

    /// <summary>The original browser app's colours, in class-index order.</summary>
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
    /// The mask values (<see cref="MapMask"/>) with their names and colours, the same in every legend: clouds light
    /// grey, cirrus light blue-grey, cloud shadow near black, snow light cyan, and uncertain a pale magenta, a colour no
    /// land use has, so that it reads as "no answer" — pale, so that a map with much of it stays readable (full magenta
    /// drew rings around every cloud and border that drowned the classes).
    /// </summary>
    public static IReadOnlyList<LandUseClass> Masks { get; } = Enum.GetValues<MapMask>().Select(mask => new LandUseClass((int)mask, mask.ToString(), mask switch
    {
        MapMask.Uncertain => new RgbColor(250, 175, 250),
        MapMask.Cloud => new RgbColor(215, 215, 215),
        MapMask.Cirrus => new RgbColor(150, 170, 205),
        MapMask.CloudShadow => new RgbColor(20, 20, 20),
        MapMask.Snow => new RgbColor(160, 255, 255),
        _ => throw new InvalidOperationException($"No colour for mask {mask}."),
    })).ToList();

    /// <summary>How many values, from 0, a legend describes: the classes and the masks (nodata apart). Pixel counts are indexed by value up to here.</summary>
    public static int ValueCount { get; } = Masks[^1].Value + 1;

    /// <summary>
    /// EuroSAT's ten classes in the original's index order (alphabetical), each in a clearly different colour, in the hues a
    /// map reader expects (forest dark green, water blue, …).
    /// </summary>
    public static ClassLegend EuroSat { get; } = ForEuroSat(DistinctColours);

    /// <summary>
    /// EuroSAT's ten classes in the original CNN-Sentinel browser app's colours, for maps compared with its pictures. It gave
    /// HerbaceousVegetation and Pasture one green and River and SeaLake one blue; only the values tell them apart.
    /// </summary>
    public static ClassLegend EuroSatOriginalApp { get; } = ForEuroSat(OriginalAppColours);

    static ClassLegend ForEuroSat(IReadOnlyList<RgbColor> colours) =>
        new(EuroSatClasses.Names.Select((name, i) => new LandUseClass(i, name, colours[i])).ToList());

    /// <summary>The classes, value i at position i.</summary>
    public IReadOnlyList<LandUseClass> Classes { get; }

    /// <summary>Everything a map value can mean besides nodata: <see cref="Classes"/>, then <see cref="Masks"/>.</summary>
    public IReadOnlyList<LandUseClass> Entries { get; }

    /// <summary>The colour where the input had no data (not a class: the map marks those pixels as nodata).</summary>
    public static RgbColor NoDataColor { get; } = new(255, 255, 255);

    /// <summary>A full 256-entry colour table: the class and mask colours, <see cref="NoDataColor"/> at the nodata value, black elsewhere.</summary>
    public IReadOnlyList<RgbColor> ColorTable()
    {
        var table = Enumerable.Repeat(new RgbColor(0, 0, 0), 256).ToArray();
        foreach (var entry in Entries) table[entry.Value] = entry.Color;
        table[SceneClassifier.NoDataClass] = NoDataColor;
        return table;
    }

    /// <summary>
    /// The name of every value from 0 to the last mask (<see cref="ValueCount"/> names; empty for a value between the
    /// last class and the first mask), as a raster's category names: gdalinfo lists them, QGIS labels the colour table's entries with them.
    /// </summary>
    public IReadOnlyList<string> CategoryNames()
    {
        var names = Enumerable.Repeat("", ValueCount).ToArray();
        foreach (var entry in Entries) names[entry.Value] = entry.Name;
        return names;
    }

    /// <summary>
    /// The legend as JSON: classes and masks with value, name, colour ("#rrggbb") and, when counts are given, their
    /// pixels; the nodata value; how to read the files.
    /// </summary>
    /// <param name="pixelCounts">Pixels per value (index = value, <see cref="ValueCount"/> of them), or null.</param>
    public string ToJson(IReadOnlyList<long>? pixelCounts = null)
    {
        CheckCounts(pixelCounts);
        return JsonSerializer.Serialize(new
        {
            classes = Classes.Select(c => new { value = c.Value, name = c.Name, color = c.Color.Hex, pixels = pixelCounts?[c.Value] }),
            masks = Masks.Select(m => new { value = m.Value, name = m.Name, color = m.Color.Hex, pixels = pixelCounts?[m.Value] }),
            nodata = SceneClassifier.NoDataClass,
            howToRead = HowToRead,
        }, JsonOptions);
    }

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>The legend as CSV, classes then masks: value,name,red,green,blue,hex (and pixels when counts are given).</summary>
    /// <param name="pixelCounts">Pixels per value (index = value, <see cref="ValueCount"/> of them), or null.</param>
    public string ToCsv(IReadOnlyList<long>? pixelCounts = null)
    {
        CheckCounts(pixelCounts);
        return CsvText.Write(csv =>
        {
            object[] header = ["value", "name", "red", "green", "blue", "hex"];
            csv.Row(pixelCounts is null ? header : [.. header, "pixels"]);
            foreach (var e in Entries)
            {
                object[] row = [e.Value, e.Name, e.Color.R, e.Color.G, e.Color.B, e.Color.Hex];
                csv.Row(pixelCounts is null ? row : [.. row, pixelCounts[e.Value]]);
            }
        });
    }

    /// <summary>The legend as a Markdown table (classes, masks, nodata; pixels when counts are given) followed by <see cref="HowToRead"/>.</summary>
    /// <param name="pixelCounts">Pixels per value (index = value, <see cref="ValueCount"/> of them), or null.</param>
    public string ToMarkdown(IReadOnlyList<long>? pixelCounts = null)
    {
        CheckCounts(pixelCounts);
        var md = new StringBuilder(pixelCounts is null
            ? "| value | name | colour (RGB) |\n| --- | --- | --- |\n"
            : "| value | name | colour (RGB) | pixels |\n| --- | --- | --- | ---: |\n");
        foreach (var e in Entries)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {e.Value} | {e.Name} | {e.Color.R}, {e.Color.G}, {e.Color.B} ({e.Color.Hex}) |");
            md.Append(pixelCounts is null ? "\n" : string.Create(CultureInfo.InvariantCulture, $" {pixelCounts[e.Value]:N0} |\n"));
        }
        md.Append(CultureInfo.InvariantCulture, $"| {SceneClassifier.NoDataClass} | no data | — |").Append(pixelCounts is null ? "\n\n" : " |\n\n");
        return md.Append(HowToRead).Append('\n').ToString();
    }

    /// <summary>
    /// The legend as a raster attribute table in dBASE format, for a file named like the map plus <c>.vat.dbf</c>
    /// (<see cref="SceneOutputPaths.ClassesAttributeTable"/>): ArcGIS opens it as the map's attribute table and QGIS
    /// (3.30 on) as its raster attribute table. One record per class and mask: Value, Count (pixels; 0 without
    /// counts), ClassName and the colour as Red, Green, Blue.
    /// </summary>
    /// <param name="pixelCounts">Pixels per value (index = value, <see cref="ValueCount"/> of them), or null.</param>
    public byte[] ToValueAttributeTable(IReadOnlyList<long>? pixelCounts = null)
    {
        CheckCounts(pixelCounts);
        (string Name, char Type, byte Length)[] fields =
            [("Value", 'N', 5), ("Count", 'N', 15), ("ClassName", 'C', 32), ("Red", 'N', 3), ("Green", 'N', 3), ("Blue", 'N', 3)];
        int recordLength = 1 + fields.Sum(f => f.Length), headerLength = 32 + 32 * fields.Length + 1;
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true))
        {
            // dBASE III header: version, date of last update (YY-1900, MM, DD), record count, header and record lengths.
            var today = DateTime.UtcNow;
            writer.Write((byte)0x03);
            writer.Write([(byte)(today.Year - 1900), (byte)today.Month, (byte)today.Day]);
            writer.Write(Entries.Count);
            writer.Write((ushort)headerLength);
            writer.Write((ushort)recordLength);
            writer.Write(new byte[20]);
            foreach (var (name, type, length) in fields)
            {
                var nameBytes = new byte[11];
                Encoding.ASCII.GetBytes(name, nameBytes);
                writer.Write(nameBytes);
                writer.Write((byte)type);
                writer.Write(new byte[4]);
                writer.Write(length);
                writer.Write((byte)0); // decimals
                writer.Write(new byte[14]);
            }
            writer.Write((byte)0x0D);
            foreach (var e in Entries)
            {
                writer.Write((byte)' '); // not deleted
                object[] values = [e.Value, pixelCounts?[e.Value] ?? 0L, e.Name, e.Color.R, e.Color.G, e.Color.B];
                for (int f = 0; f < fields.Length; f++)
                {
                    var text = Convert.ToString(values[f], CultureInfo.InvariantCulture)!;
                    if (text.Length > fields[f].Length) throw new InvalidOperationException($"'{text}' does not fit the {fields[f].Length} characters of field {fields[f].Name}.");
                    // Numbers right-aligned, text left-aligned, both padded with spaces (dBASE's layout).
                    writer.Write(Encoding.ASCII.GetBytes(fields[f].Type == 'N' ? text.PadLeft(fields[f].Length) : text.PadRight(fields[f].Length)));
                }
            }
            writer.Write((byte)0x1A); // end of file
        }
        return stream.ToArray();
    }

    /// <summary>
    /// A QGIS layer style (<c>.qml</c>) for the class map: a paletted renderer of band 1 with one entry per class and
    /// mask (colour and name); nodata is left unstyled, so QGIS draws it transparent. QGIS loads a style named like
    /// the raster (<c>x_classes.qml</c> beside <c>x_classes.tif</c>) by itself.
    /// </summary>
    public string ToQml() => new XElement("qgis",
        // QGIS upgrades a style it believes older than itself; the version says which layout this one has.
        new XAttribute("version", "3.28.0"),
        new XAttribute("styleCategories", "Symbology"),
        new XElement("pipe",
            new XElement("rasterrenderer",
                new XAttribute("type", "paletted"), new XAttribute("band", 1), new XAttribute("opacity", 1),
                new XAttribute("alphaBand", -1), new XAttribute("nodataColor", ""),
                new XElement("rasterTransparency"),
                new XElement("colorPalette", Entries.Select(e => new XElement("paletteEntry",
                    new XAttribute("value", e.Value), new XAttribute("color", e.Color.Hex),
                    new XAttribute("label", e.Name), new XAttribute("alpha", 255)))))),
        new XElement("blendMode", 0)).ToString() + "\n";

    static void CheckCounts(IReadOnlyList<long>? pixelCounts)
    {
        if (pixelCounts is not null && pixelCounts.Count != ValueCount)
            throw new ArgumentException($"Pixel counts are per value, 0 to {ValueCount - 1}: {ValueCount} of them, not {pixelCounts.Count}.");
    }

    /// <summary>How to read the class and probability files (the answer to the original's issues #4, #6, #8).</summary>
    public static string HowToRead { get; } =
        "The class map (*_classes.tif, Byte) holds, for every pixel, the value of the class whose 64x64 window centred on that " +
        $"pixel the model found most likely; values from {Masks[0].Value} are masks, not classes: " +
        string.Join(", ", Masks.Select(m => $"{m.Value} {m.Name}")) +
        $". {nameof(MapMask.Uncertain)} means the model's confidence was below the map's threshold (EuroSAT has no cloud class, so " +
        "without a cloud mask low confidence is how clouds show); the others come from a Level-2A product's scene classification. " +
        $"{SceneClassifier.NoDataClass} means the input had no data there. The map carries its colours (colour table) and the " +
        "names of its values (category names, in the *_classes.tif.aux.xml beside it); *_classes.qml styles it in QGIS. " +
        "The probability map (*_probability.tif, Float32) holds the chosen class's softmax probability, 0 to 1 (NaN = no data): " +
        "1/number-of-classes means the model could not decide, near 1 that it is confident (which is not the same as correct). " +
        "*_probabilities.tif, when written, has one band per class (band i+1 = class value i) with all probabilities; they sum to 1 per pixel.";
}
