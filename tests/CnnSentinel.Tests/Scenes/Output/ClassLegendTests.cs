using System.Text.Json.Nodes;
using System.Xml.Linq;
using CnnSentinel.Datasets;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Scenes;

public class ClassLegendTests
{
    static double Distance(RgbColor a, RgbColor b) => Math.Sqrt(Math.Pow(a.R - b.R, 2) + Math.Pow(a.G - b.G, 2) + Math.Pow(a.B - b.B, 2));

    [Fact]
    public void TheDefaultPaletteGivesEveryClassAndMaskAColourOfItsOwn()
    {
        var colours = ClassLegend.EuroSat.Entries.Select(e => (e.Name, e.Color)).Append((Name: "no data", Color: ClassLegend.NoDataColor)).ToList();
        Assert.Equal(EuroSatClasses.Names.Count + Enum.GetValues<MapMask>().Length + 1, colours.Count);
        foreach (var (a, i) in colours.Select((c, i) => (c, i)))
            foreach (var b in colours.Skip(i + 1))
                Assert.True(Distance(a.Color, b.Color) >= 60, $"{a.Name} {a.Color.Hex} and {b.Name} {b.Color.Hex} are too alike to tell apart on a map");
        Assert.Equal(EuroSatClasses.Names, ClassLegend.EuroSat.Classes.Select(c => c.Name));
        Assert.Equal(Enumerable.Range(0, 10), ClassLegend.EuroSat.Classes.Select(c => c.Value));
    }

    [Fact]
    public void TheOriginalAppPaletteIsStillThere()
    {
        var original = ClassLegend.EuroSatOriginalApp;
        Assert.Equal(EuroSatClasses.Names, original.Classes.Select(c => c.Name));
        Assert.Equal(new RgbColor(0, 255, 255), original.Classes[0].Color); // AnnualCrop, as the original app painted it
        Assert.Equal(original.Classes[2].Color, original.Classes[5].Color); // its one green for HerbaceousVegetation and Pasture
        Assert.Equal(original.Classes[8].Color, original.Classes[9].Color); // its one blue for River and SeaLake
        Assert.Equal(ClassLegend.Masks, original.Entries.Skip(10));
    }

    [Fact]
    public void MasksFollowTheClassesInTheColourTableAndTheCategoryNames()
    {
        var legend = ClassLegend.EuroSat;
        Assert.Equal([(10, "Uncertain"), (11, "Cloud"), (12, "Cirrus"), (13, "CloudShadow"), (14, "Snow")],
            ClassLegend.Masks.Select(m => (m.Value, m.Name)));
        Assert.Equal(15, ClassLegend.ValueCount);
        var table = legend.ColorTable();
        Assert.Equal(256, table.Count);
        Assert.All(legend.Entries, e => Assert.Equal(e.Color, table[e.Value]));
        Assert.Equal(ClassLegend.NoDataColor, table[SceneClassifier.NoDataClass]);
        Assert.Equal([.. EuroSatClasses.Names, "Uncertain", "Cloud", "Cirrus", "CloudShadow", "Snow"], legend.CategoryNames());

        // A model with fewer classes leaves the values between its last class and the first mask unnamed.
        var three = new ClassLegend(legend.Classes.Take(3).ToList());
        Assert.Equal(["AnnualCrop", "Forest", "HerbaceousVegetation", "", "", "", "", "", "", "", "Uncertain", "Cloud", "Cirrus", "CloudShadow", "Snow"],
            three.CategoryNames());
        Assert.Equal(new RgbColor(0, 0, 0), three.ColorTable()[3]);
    }

    [Fact]
    public void JsonCsvAndMarkdownListClassesAndMasksWithTheirPixels()
    {
        var counts = Enumerable.Range(0, ClassLegend.ValueCount).Select(v => v == 12 ? 0L : 1000L + v).ToArray();
        var json = JsonNode.Parse(ClassLegend.EuroSat.ToJson(counts))!;
        var classes = json["classes"]!.AsArray();
        var masks = json["masks"]!.AsArray();
        Assert.Equal(10, classes.Count);
        Assert.Equal(["value", "name", "color", "pixels"], classes[0]!.AsObject().Select(p => p.Key));
        Assert.Equal(ClassLegend.EuroSat.Classes[1].Color.Hex, (string?)classes[1]!["color"]);
        Assert.Matches("^#[0-9a-f]{6}$", (string?)classes[1]!["color"]);
        Assert.Equal(1001, (long)classes[1]!["pixels"]!);
        Assert.Equal((11, "Cloud", "#d7d7d7", 1011L), ((int)masks[1]!["value"]!, (string?)masks[1]!["name"], (string?)masks[1]!["color"], (long)masks[1]!["pixels"]!));
        Assert.Equal(0, (long)masks[2]!["pixels"]!); // a mask that no pixel has is still listed
        Assert.Equal(255, (int)json["nodata"]!);
        Assert.Contains("14 Snow", (string?)json["howToRead"]);

        var csv = ClassLegend.EuroSat.ToCsv(counts).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("value,name,red,green,blue,hex,pixels", csv[0]);
        Assert.Equal(16, csv.Length);
        Assert.Equal("13,CloudShadow,20,20,20,#141414,1013", csv[14]);

        var markdown = ClassLegend.EuroSat.ToMarkdown(counts);
        Assert.Contains("| 10 | Uncertain | 250, 175, 250 (#faaffa) | 1,010 |\n", markdown);
        Assert.Contains("| 255 | no data | — | |\n", markdown);
        Assert.Contains("| 14 | Snow |", ClassLegend.EuroSat.ToMarkdown());
        Assert.Throws<ArgumentException>(() => ClassLegend.EuroSat.ToJson(new long[10])); // counts are per value, masks included
    }

    [Fact]
    public void TheQgisStyleIsAPalettedRendererOfTheLegend()
    {
        var qml = XDocument.Parse(ClassLegend.EuroSat.ToQml());
        Assert.Equal("qgis", qml.Root!.Name.LocalName);
        var renderer = qml.Root.Element("pipe")!.Element("rasterrenderer")!;
        Assert.Equal(("paletted", "1"), ((string?)renderer.Attribute("type"), (string?)renderer.Attribute("band")));
        var entries = renderer.Element("colorPalette")!.Elements("paletteEntry").ToList();
        Assert.Equal(ClassLegend.EuroSat.Entries.Select(e => (e.Value.ToString(), e.Color.Hex, e.Name, "255")),
            entries.Select(p => ((string)p.Attribute("value")!, (string)p.Attribute("color")!, (string)p.Attribute("label")!, (string)p.Attribute("alpha")!)));
        Assert.DoesNotContain(entries, p => (string?)p.Attribute("value") == "255"); // nodata stays unstyled: transparent
    }

    [Fact]
    public void ALegendWhoseClassesWouldReachTheMasksIsRefused()
    {
        var eleven = Enumerable.Range(0, 11).Select(i => new LandUseClass(i, $"c{i}", new RgbColor((byte)i, 0, 0))).ToList();
        var e = Assert.Throws<ArgumentException>(() => new ClassLegend(eleven));
        Assert.Contains("masks", e.Message);
        Assert.Throws<ArgumentException>(() => new ClassLegend([new LandUseClass(1, "one", new RgbColor(1, 2, 3))]));
    }

    /// <summary>Class names are free text: one with a comma and a quote stays one field, quoted as CSV quotes.</summary>
    [Fact]
    public void TheCsvQuotesANameThatHoldsACommaOrAQuote()
    {
        var names = new[] { "Crops, annual", "\"Urban\" fabric" };
        var legend = new ClassLegend([.. names.Select((name, i) => new LandUseClass(i, name, new RgbColor((byte)(40 * i), 90, 200)))]);
        var csv = legend.ToCsv();
        Assert.StartsWith("value,name,red,green,blue,hex\n0,\"Crops, annual\",0,90,200,#005ac8\n1,\"\"\"Urban\"\" fabric\",40,90,200,", csv);
        using var reader = new CsvHelper.CsvReader(new StringReader(csv), System.Globalization.CultureInfo.InvariantCulture);
        var read = reader.GetRecords<dynamic>().Select(r => (string)((IDictionary<string, object>)r)["name"]).ToList();
        Assert.Equal(names, read.Take(2));
    }
}
