using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class ThroughputReportTests
{
    [Fact]
    public void TheReadmeTableIsTheCommittedReports()
    {
        var results = Path.Combine(TestEnvironment.RepositoryRoot, "data", "results");
        var section = ThroughputReport.Section(results);
        Assert.NotNull(section);
        Assert.All(ThroughputReport.Verbs, verb => Assert.True(File.Exists(Path.Combine(results, $"{verb}.json")), $"data/results/{verb}.json is missing"));
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        Assert.True(readme == ReadmeSections.Splice(readme, section!, ThroughputReport.BeginMarker, ThroughputReport.EndMarker),
            "README.md's measured benchmarks differ from data/results/loader.json and trainer.json: run `cnnsentinel results --update README.md`.");
    }

    [Fact]
    public void RowsSayRatioAndGoalAndABrokenReportIsNamed()
    {
        var dir = TestEnvironment.NewTempDirectory();
        Assert.Null(ThroughputReport.Section(dir));
        new ThroughputReport("trainer", "resnet18, batch 64", "2 cores", [new("trainer", 290, "PyTorch 1.13", 300, 1, [1.02, 0.95])]).Write(dir);
        new ThroughputReport("loader", "eurosat: 10 files", "2 cores", [new("loader", 1000, "training", 100, 5, [])]).Write(dir);
        var lines = ThroughputReport.Section(dir)!.Split('\n');
        // The loader comes first (README order), each rate beside its reference, the ratio against the goal.
        Assert.Equal("| `loader` (eurosat: 10 files) | loader 1,000 images/s, training 100 images/s → **10.0×** (goal ≥ 5×: met) |", lines[2]);
        Assert.Equal("| `trainer` (resnet18, batch 64) | trainer 290 images/s, PyTorch 1.13 300 images/s → **0.97×** (goal ≥ 1×: missed); rounds 1.02, 0.95 |", lines[3]);
        Assert.Contains("- `loader`: 2 cores", lines);

        File.WriteAllText(Path.Combine(dir, "trainer.json"), "{\"Verb\": \"trainer\"}");
        var error = Assert.Throws<InvalidDataException>(() => ThroughputReport.Section(dir));
        Assert.Contains(Path.Combine(dir, "trainer.json"), error.Message);
    }
}
