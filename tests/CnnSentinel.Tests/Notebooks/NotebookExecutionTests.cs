using System.Text.Json.Nodes;
using CnnSentinel.Notebooks;

namespace CnnSentinel.Tests.Notebooks;

/// <summary>
/// Executes every notebook in <c>notebooks/</c> headless, in quick mode, with the real .NET Interactive
/// kernel. A new notebook is picked up without editing this file; it must run without error outputs
/// and save its results as <c>&lt;notebook name&gt;.json</c> (see <see cref="NotebookResults"/>).
/// Executed copies are kept in <c>out/test-notebooks</c> for inspection.
/// </summary>
[Collection(NotebookCollection.Name)]
public class NotebookExecutionTests
{
    static string NotebookFolder => Path.Combine(TestEnvironment.RepositoryRoot, "notebooks");
    static string ExecutedFolder => Path.Combine(TestEnvironment.RepositoryRoot, "out", "test-notebooks");

    public static TheoryData<string> Notebooks() =>
        new(Directory.GetFiles(NotebookFolder, "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order()!);

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsCleanlyInQuickMode(string name)
    {
        var results = Path.Combine(ExecutedFolder, "results");
        var run = NotebookRunner.Run(Path.Combine(NotebookFolder, name + ".ipynb"), ExecutedFolder, quick: true,
            cellTimeout: TimeSpan.FromMinutes(10), new Dictionary<string, string> { [NotebookResults.EnvironmentVariable] = results });
        Assert.True(run.Succeeded, $"{name} failed:\n{string.Join("\n", run.Problems)}");

        var resultsFile = Path.Combine(results, name + ".json");
        Assert.True(File.Exists(resultsFile), $"{name} saved no results ({resultsFile}).");
        var values = JsonNode.Parse(File.ReadAllText(resultsFile))!;
        Assert.True((bool)values["quick"]!, $"{name} did not run in quick mode.");
        NotebookChecks.For(name)?.Invoke(values, JsonNode.Parse(File.ReadAllText(run.ExecutedPath))!);
    }
}

/// <summary>What particular notebooks must have produced, beyond running cleanly.</summary>
static class NotebookChecks
{
    public static Action<JsonNode, JsonNode>? For(string name) => name switch
    {
        "00_getting_started" => (values, executed) =>
        {
            Assert.True((double)values["lastLoss"]! < (double)values["firstLoss"]!);
            Assert.True((double)values["accuracy"]! > 0.9);
            var mimeTypes = Outputs(executed).SelectMany(o => o["data"]?.AsObject().Select(p => p.Key) ?? []).ToList();
            Assert.Contains("image/png", mimeTypes);
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("Plotly.newPlot("));
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("cnnsentinel-tensor"));
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("cnnsentinel-confusion"));
        },
        "01_split_data" => (values, executed) =>
        {
            Assert.Equal((int)values["rgbImages"]!, (int)values["train"]! + (int)values["validation"]!);
            Assert.Equal((int)values["msImages"]!, (int)values["spatialTrain"]! + (int)values["spatialValidation"]! + (int)values["spatialLeftOut"]!);
            Assert.Equal(10, (int)values["classes"]!);
            Assert.Equal(0, (int)values["unusableFiles"]!);
            var mimeTypes = Outputs(executed).SelectMany(o => o["data"]?.AsObject().Select(p => p.Key) ?? []).ToList();
            Assert.True(mimeTypes.Count(m => m == "image/png") >= 4, "sample grids, bands, augmentations and a batch are shown");
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("Plotly.newPlot("));
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("cnnsentinel-statistics"));
        },
        _ => null,
    };

    static IEnumerable<JsonNode> Outputs(JsonNode notebook) =>
        notebook["cells"]!.AsArray().SelectMany(c => c?["outputs"]?.AsArray() ?? []).OfType<JsonNode>();

    static string Text(JsonNode node) => node is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)node ?? "";
}

/// <summary>Notebook runs start kernels; run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCollection
{
    public const string Name = "notebooks";
}
