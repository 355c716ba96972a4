using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class MapAccuracyReportTests
{
    [Fact]
    public void TheReadmeSectionIsTheCommittedReports()
    {
        var results = Path.Combine(TestEnvironment.RepositoryRoot, "data", "results");
        var section = MapAccuracyReport.Markdown(results);
        Assert.NotNull(section);
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        Assert.True(readme == ReadmeSections.Splice(readme, section!, MapAccuracyReport.BeginMarker, MapAccuracyReport.EndMarker),
            "README.md's map-accuracy section differs from data/results/map-accuracy*.json: run `cnnsentinel results --update README.md`.");
    }

    [Fact]
    public void RowsComeFromTheReportsAndABrokenOneIsNamed()
    {
        var dir = TestEnvironment.NewTempDirectory();
        Assert.Null(MapAccuracyReport.Markdown(dir));
        File.WriteAllText(Path.Combine(dir, "map-accuracy-a.json"), """
            {"data":"eurosat-rgb","files":24300,"model":"m.safetensors","mode":"Naive","stride":8,"uncertainCentresAtDefaultThreshold":0.03,
             "accuracy":{"cells":100,"centre":0.96,"majority":0.91,"pixels":0.6885}}
            """);
        File.WriteAllText(Path.Combine(dir, "map-accuracy-b.json"), """
            {"data":"eurosat-rgb","files":24300,"model":"m.safetensors","mode":"Naive","stride":16,"uncertainCentresAtDefaultThreshold":0.08,
             "cloudTest":true,"builtUpCentresMaskedByCloudTest":0.0125,"accuracy":{"cells":100,"centre":0.94,"majority":0.9,"pixels":0.6719}}
            """);
        File.WriteAllText(Path.Combine(dir, "map-accuracy-b-adaptive.json"), """
            {"data":"eurosat-rgb","files":24300,"model":"m.safetensors","mode":"Adaptive","stride":8,"uncertainCentresAtDefaultThreshold":0.03,
             "classifiedCellShare":0.5012,"accuracy":{"cells":100,"centre":0.96,"majority":0.91,"pixels":0.6881}}
            """);
        var lines = MapAccuracyReport.Markdown(dir)!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| eurosat-rgb (24,300 files) | 100 | m.safetensors | naive | 16 | 94.0 % | 90.0 % | 67.2 % | 8.0 % | 1.3 % | all |", lines[2]);
        Assert.Equal("| eurosat-rgb (24,300 files) | 100 | m.safetensors | naive | 8 | 96.0 % | 91.0 % | 68.9 % | 3.0 % | off | all |", lines[3]); // a report without the cloud test
        Assert.Equal("| eurosat-rgb (24,300 files) | 100 | m.safetensors | adaptive | 8 | 96.0 % | 91.0 % | 68.8 % | 3.0 % | off | 50.1 % |", lines[4]);
        File.WriteAllText(Path.Combine(dir, "map-accuracy-c.json"), """{"data":"x"}""");
        var error = Assert.Throws<InvalidDataException>(() => MapAccuracyReport.Markdown(dir));
        Assert.Contains("map-accuracy-c.json", error.Message);
    }
}
