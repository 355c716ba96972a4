using CnnSentinel.Evaluation;
using CnnSentinel.Notebooks;

namespace CnnSentinel.Tests.Evaluation;

public class ResultsTableTests
{
    [Fact]
    public void TheWilsonIntervalHasItsTextbookValues()
    {
        var (low, high) = ResultsTable.WilsonInterval(0.5, 100);
        Assert.Equal(0.4038, low, 4);
        Assert.Equal(0.5962, high, 4);
        var (zeroLow, zeroHigh) = ResultsTable.WilsonInterval(0, 10);
        Assert.Equal(0, zeroLow, 9);
        Assert.Equal(0.2775, zeroHigh, 4);
    }

    [Fact]
    public void SplicingReplacesOnlyTheGeneratedSection()
    {
        var text = $"before\n{ResultsTable.BeginMarker}\nold table\n{ResultsTable.EndMarker}\nafter\n";
        Assert.Equal($"before\n{ResultsTable.BeginMarker}\nnew\n{ResultsTable.EndMarker}\nafter\n", ResultsTable.Splice(text, "new\n"));
        Assert.Throws<InvalidDataException>(() => ResultsTable.Splice("no markers", "new\n"));
    }

    [Fact]
    public void TheReadmeShowsTheCommittedResults()
    {
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var folder = Path.Combine(TestEnvironment.RepositoryRoot, "data", "results");
        Assert.NotEmpty(ResultsTable.Read(folder));
        Assert.True(readme == ResultsTable.Splice(readme, ResultsTable.Section(folder)),
            "README.md's results table differs from data/results: run `cnnsentinel results --update README.md`.");
        // The bundled sample's figures come from the last full ./run.sh (its notebooks.json, copied to data/results).
        var bundled = NotebookRunReport.Read(Path.Combine(folder, NotebookRunReport.FileName));
        Assert.False(bundled.Quick);
        Assert.True(readme == ResultsTable.Splice(readme, bundled.Markdown(), ResultsTable.BundledBeginMarker, ResultsTable.BundledEndMarker),
            "README.md's bundled-sample table differs from data/results/notebooks.json: run `cnnsentinel results --update README.md`.");
    }
}
