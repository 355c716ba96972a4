using CnnSentinel.Evaluation;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class ReadmeSectionsTests
{
    [Fact]
    public void SplicingReplacesOnlyTheGeneratedSection()
    {
        var text = $"before\n{ReadmeSections.BeginMarker}\nold table\n{ReadmeSections.EndMarker}\nafter\n";
        Assert.Equal($"before\n{ReadmeSections.BeginMarker}\nnew\n{ReadmeSections.EndMarker}\nafter\n", ReadmeSections.Splice(text, "new\n"));
        Assert.Throws<InvalidDataException>(() => ReadmeSections.Splice("no markers", "new\n"));
    }

    [Fact]
    public void TheReadmeShowsTheCommittedResults()
    {
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var folder = Path.Combine(TestEnvironment.RepositoryRoot, "data", "results");
        Assert.NotEmpty(ResultsTable.Read(folder));
        Assert.True(readme == ReadmeSections.Splice(readme, ReadmeSections.Results(folder)),
            "README.md's results table differs from data/results: run `cnnsentinel results --update README.md`.");
        // The bundled sample's figures come from the last full ./run.sh (its notebooks.json, copied to data/results).
        var bundled = NotebookRunReport.Read(Path.Combine(folder, NotebookRunReport.FileName));
        Assert.False(bundled.Quick);
        Assert.True(readme == ReadmeSections.Splice(readme, bundled.Markdown(), ReadmeSections.BundledBeginMarker, ReadmeSections.BundledEndMarker),
            "README.md's bundled-sample table differs from data/results/notebooks.json: run `cnnsentinel results --update README.md`.");
    }
}
