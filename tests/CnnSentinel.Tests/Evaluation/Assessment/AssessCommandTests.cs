using System.Text.Json.Nodes;
using static CnnSentinel.Tests.Evaluation.Assessment.AssessmentFixtures;

namespace CnnSentinel.Tests.Evaluation.Assessment;

public class AssessCommandTests
{
    static (int Code, string Stdout, string Stderr) Assess(params string[] arguments) =>
        ExternalTools.Capture("dotnet", [ExternalTools.Cli, "assess", .. arguments]);

    [Fact]
    public void ReportsEndsWithTheHeadlineAndWritesJson()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var map = Map(dir);
        var points = Points(dir, "points", [(Left + 5, Top - 5, "forest"), (Left + 35, Top - 5, "pasture"), (Left + 35, Top - 25, "water")], epsg: 4326);
        var json = Path.Combine(dir, "report.json");

        var (code, stdout, stderr) = Assess(map, "--reference", points, "--json", json);
        Assert.True(code == 0, stderr);
        // forest on Forest right; pasture on Forest and water on Uncertain wrong: 1 of 3.
        Assert.Equal("overall accuracy 0.333 (95 % CI 0.061–0.792), Uncertain 33.3 % on 3 reference samples", stdout.TrimEnd().Split('\n')[^1]);
        Assert.Contains("accuracy against coverage", stdout);
        var report = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(3, report["samples"]!.GetValue<long>());
        Assert.Equal(1, report["correct"]!.GetValue<long>());
        Assert.Equal("Points", report["referenceKind"]!.GetValue<string>());
        Assert.Equal(10, report["coverage"]!.AsArray().Count);
        Assert.Equal(10, report["confusion"]!.AsArray().Count);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void BadInputGetsOneLineAndExitCodeOne()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var map = Map(dir);
        var points = Points(dir, "points", [(Left + 5, Top - 5, "forest"), (Left + 15, Top - 5, "urban")]);

        void Refused(string expected, params string[] arguments)
        {
            var (code, stdout, stderr) = Assess(arguments);
            Assert.True(code == 1, $"exit {code}: {stdout}{stderr}");
            var line = Assert.Single(stderr.TrimEnd().Split('\n'));
            Assert.StartsWith("assess: ", line);
            Assert.Contains(expected, line);
        }

        Refused($"{points} has no field 'cover' (its fields: land_cover)", map, "--reference", points, "--field", "cover");
        var far = Points(dir, "far", [(Left + 50_000, Top, "forest")]);
        Refused($"{far}: no reference sample lies on the map {map} (no overlap; all 1 points are outside it)", map, "--reference", far);
        var noCrs = Path.Combine(dir, "nocrs.csv");
        File.WriteAllLines(noCrs, ["x,y,land_cover", $"{Left + 5},{Top - 5},forest"]);
        Refused($"{noCrs}: the layer nocrs has no coordinate system (unknown CRS)", map, "--reference", noCrs);
        var unknown = Points(dir, "unknown", [(Left + 5, Top - 5, "glacier")]);
        Refused("class 'glacier' of field land_cover is not in the built-in mapping", map, "--reference", unknown, "--field", "land_cover");
        var mapping = Path.Combine(dir, "bad.csv");
        File.WriteAllText(mapping, "side,class,group\nreference,forest,forest\nreference,urban,built-up\nmap,Moon,forest\n");
        Refused($"{mapping} line 4: unknown map class 'Moon'", map, "--reference", points, "--mapping", mapping);
        var probability = Path.Combine(dir, "tiny_probability.tif");
        Refused($"{probability} is not a class map written by classify (1 band(s) of Float32", probability, "--reference", points);
        var unplaced = Path.Combine(dir, "unplaced_classes.tif");
        TestRasters.Write(unplaced, 4, 4, 1, new float[16], null, CnnSentinel.Raster.RasterDataType.Byte);
        Refused($"{unplaced} has no georeference", unplaced, "--reference", points);
        Refused("--uncertain-below 2: give a probability in 0–1", map, "--reference", points, "--uncertain-below", "2");
        Refused("nothing.gpkg: no such file", map, "--reference", Path.Combine(dir, "nothing.gpkg"));
    }
}
