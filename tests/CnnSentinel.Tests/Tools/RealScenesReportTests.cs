using System.Text.Json.Nodes;
using CnnSentinel.Evaluation.Assessment;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class RealScenesReportTests
{
    [Fact]
    public void ReadmeSectionIsTheCommittedReport()
    {
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        Assert.Contains(RealScenesReport.BeginMarker, readme);
        // Until the bench's report is committed to data/results, the section holds a note instead of a table.
        if (RealScenesReport.Markdown(Path.Combine(TestEnvironment.RepositoryRoot, "data", "results")) is { } section)
            Assert.True(readme == ReadmeSections.Splice(readme, section, RealScenesReport.BeginMarker, RealScenesReport.EndMarker),
                $"README.md's real-scenes section differs from data/results/{RealScenesReport.FileName}: run `cnnsentinel results --update README.md`.");
    }

    [Fact]
    public void TheShippedModelsCardHoldsTheCommittedReportsRows()
    {
        var section = RealScenesReport.CardSection(Path.Combine(TestEnvironment.RepositoryRoot, "data", "results"), Path.GetFileName(ProjectPaths.ShippedRgbModel));
        Assert.NotNull(section); // the committed report is of the shipped model
        var cardPath = Path.ChangeExtension(ProjectPaths.ShippedRgbModel, ".md");
        var card = File.ReadAllText(cardPath);
        Assert.Contains(RealScenesReport.CardBeginMarker, card);
        Assert.True(card == RealScenesReport.SpliceIntoCard(card, section!),
            $"{Path.GetFileName(cardPath)}'s real-scenes section differs from data/results/{RealScenesReport.FileName}: run `cnnsentinel results --update README.md`.");
    }

    [Fact]
    public void TheCardSectionHoldsOnlyItsModelsRowsAndGoesBeforeTheLicence()
    {
        var dir = TestEnvironment.NewTempDirectory();
        Assert.Null(RealScenesReport.CardSection(dir, "m.safetensors"));
        JsonObject Scene(string image, string model) => new()
        {
            ["folder"] = "slovenia-2015", ["image"] = image, ["reference"] = "lulc_label.tif", ["referenceKind"] = "Raster",
            ["model"] = model, ["product"] = "L1C", ["stride"] = 8, ["samples"] = 9000, ["overallAccuracy"] = 0.5,
            ["overallLow"] = 0.49, ["overallHigh"] = 0.51, ["uncertainShare"] = 0.1, ["maskedShare"] = 0, ["window"] = 64, ["windowMajority"] = 0.764,
        };
        var report = new JsonObject
        {
            ["model"] = "m.safetensors", ["machine"] = "2 cores", ["uncertainBelow"] = 0.5,
            ["scenes"] = new JsonArray(Scene("a.tif", "m.safetensors"), Scene("b.tif", "other.safetensors")),
        };
        File.WriteAllText(Path.Combine(dir, RealScenesReport.FileName), report.ToJsonString());

        Assert.Null(RealScenesReport.CardSection(dir, "other.safetensors")); // the report is of m, not of other
        var section = RealScenesReport.CardSection(dir, "m.safetensors")!;
        Assert.StartsWith("## Real scenes\n", section);
        Assert.Contains("| slovenia-2015/a.tif | lulc_label.tif (raster) | m.safetensors | L1C | 8 | 9,000 | **50.0 %** | 0.490–0.510 | 10.0 % | 0.0 % | 76.4 % (64 px) |", section);
        Assert.DoesNotContain("b.tif", section);

        const string card = "# Model card\n\n## Training\n\n- Recipe: fast\n\n## Licence and attribution\n\n- EuroSAT\n";
        var spliced = RealScenesReport.SpliceIntoCard(card, section);
        Assert.Equal("# Model card\n\n## Training\n\n- Recipe: fast\n\n" + RealScenesReport.CardBeginMarker + "\n" + section + RealScenesReport.EndMarker +
            "\n\n## Licence and attribution\n\n- EuroSAT\n", spliced);
        Assert.Equal(spliced, RealScenesReport.SpliceIntoCard(spliced, section)); // splicing again changes nothing
        Assert.EndsWith(RealScenesReport.EndMarker + "\n", RealScenesReport.SpliceIntoCard("# Model card\n", section)); // no licence section: at the end
    }

    [Fact]
    public void TableComesFromTheReportAndSplicesIntoTheReadme()
    {
        var dir = TestEnvironment.NewTempDirectory();
        Assert.Null(RealScenesReport.Markdown(dir));
        var scene = new JsonObject
        {
            ["folder"] = "leipzig-2021", ["image"] = "leipzig_raster.tif", ["reference"] = "leipzig_points.gpkg", ["referenceKind"] = "Points",
            ["model"] = "m.safetensors", ["product"] = "L2A", ["stride"] = 16, ["samples"] = 97, ["overallAccuracy"] = 0.4433,
            ["overallLow"] = 0.3478, ["overallHigh"] = 0.5429, ["uncertainShare"] = 0.0928, ["maskedShare"] = 0.0722,
            ["window"] = 64, ["windowMajority"] = null, // points: no perfect-window figure
        };
        var report = new JsonObject { ["model"] = "m.safetensors", ["machine"] = "2 cores", ["uncertainBelow"] = 0.5, ["scenes"] = new JsonArray(scene) };
        File.WriteAllText(Path.Combine(dir, RealScenesReport.FileName), report.ToJsonString());

        var table = RealScenesReport.Markdown(dir)!;
        Assert.Contains("| leipzig-2021/leipzig_raster.tif | leipzig_points.gpkg (points) | m.safetensors | L2A | 16 | 97 | **44.3 %** | 0.348–0.543 | 9.3 % | 7.2 % | — |", table);
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var spliced = ReadmeSections.Splice(readme, table, RealScenesReport.BeginMarker, RealScenesReport.EndMarker);
        Assert.Contains(table, spliced);
        Assert.Contains("7.2 % | — |\n" + RealScenesReport.EndMarker, spliced);

        scene.Remove("samples");
        File.WriteAllText(Path.Combine(dir, RealScenesReport.FileName), report.ToJsonString());
        Assert.Contains("no 'samples'", Assert.Throws<InvalidDataException>(() => RealScenesReport.Markdown(dir)).Message);
    }
}
