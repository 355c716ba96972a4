using System.Text.Json.Nodes;
using CnnSentinel.Notebooks;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

/// <summary>The harness must catch what goes wrong in a notebook, or the notebook tests prove nothing.</summary>
public class NotebookRunnerTests
{
    static JsonObject Notebook(params string[] cells) => new()
    {
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "C#" },
        },
        ["cells"] = new JsonArray(cells.Select((source, i) => (JsonNode)new JsonObject
        {
            ["cell_type"] = "code",
            ["id"] = $"cell{i}",
            ["metadata"] = new JsonObject(),
            ["execution_count"] = null,
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        }).ToArray()),
    };

    [Fact]
    public void AnExceptionInACellFailsTheRunAndNamesTheCell()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var path = Path.Combine(dir, "broken.ipynb");
        File.WriteAllText(path, Notebook("var x = 1 + 1;", "throw new InvalidOperationException(\"boom in cell two\");").ToJsonString());

        var run = NotebookRunner.Run(path, Path.Combine(dir, "out"), quick: true, TimeSpan.FromMinutes(2));
        Assert.False(run.Succeeded);
        var problem = Assert.Single(run.Problems);
        Assert.Equal(1, problem.Cell);
        Assert.Contains("boom in cell two", problem.Message);
    }

    [Fact]
    public void ErrorOutputsAndStderrExceptionsAreFoundInAnExecutedNotebook()
    {
        var notebook = Notebook("a", "b", "c");
        var cells = notebook["cells"]!.AsArray();
        cells[0]!["outputs"]!.AsArray().Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = "all fine" });
        cells[1]!["outputs"]!.AsArray().Add(new JsonObject { ["output_type"] = "error", ["ename"] = "Error", ["evalue"] = "compilation error", ["traceback"] = new JsonArray() });
        cells[2]!["outputs"]!.AsArray().Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stderr", ["text"] = new JsonArray("Unhandled exception. ", "System.IO.IOException: disk full") });
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "executed.ipynb");
        File.WriteAllText(path, notebook.ToJsonString());

        var problems = NotebookRunner.FindProblems(path);
        Assert.Equal([1, 2], problems.Select(p => p.Cell));
        Assert.Contains("compilation error", problems[0].Message);
        Assert.Contains("disk full", problems[1].Message);
    }

    [Fact]
    public void AMissingNotebookIsAClearError()
    {
        var missing = Path.Combine(TestEnvironment.NewTempDirectory(), "nope.ipynb");
        var error = Assert.Throws<FileNotFoundException>(() => NotebookRunner.Run(missing, TestEnvironment.NewTempDirectory(), true, TimeSpan.FromMinutes(1)));
        Assert.Contains(missing, error.Message);
    }
}
