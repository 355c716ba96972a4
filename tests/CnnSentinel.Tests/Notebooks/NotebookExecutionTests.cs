using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CnnSentinel.Notebooks;
using CnnSentinel.Runtime;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Notebooks;

/// <summary>
/// Executes every notebook in <c>notebooks/</c> headless, in quick mode, with the real .NET Interactive
/// kernel. A new notebook is picked up without editing this file; it must run without error outputs
/// and save its results as <c>&lt;notebook name&gt;.json</c> (see <see cref="NotebookResults"/>).
/// Executed copies and everything the notebooks write (results, models, maps, the web page) go to
/// <c>out/test-notebooks</c> (<see cref="EnvironmentSettings.OutputVariable"/>): the main job's outputs in
/// <c>out/</c> are checked to be left exactly as they were.
/// </summary>
public class NotebookExecutionTests
{
    static string NotebookFolder => Path.Combine(TestEnvironment.RepositoryRoot, "notebooks");
    internal static string ExecutedFolder => Path.Combine(TestEnvironment.RepositoryRoot, "out", "test-notebooks");

    public static TheoryData<string> Notebooks() =>
        new(Directory.GetFiles(NotebookFolder, "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order()!);

    /// <summary>The most an executed quick-mode notebook may weigh (outputs included): one plotly.js, small pictures.</summary>
    const long QuickModeNotebookBytes = 3_000_000;

    internal static string ResultsFolder => Path.Combine(ExecutedFolder, "results");

    /// <summary>Notebooks that read what earlier ones saved (the main job runs them in order).</summary>
    static readonly Dictionary<string, string[]> Prerequisites = new()
    {
        ["07_interpret_results"] = ["02_rgb_transfer_learning", "03_rgb_from_scratch", "04_ms_transfer_learning", "04b_ms_transfer_alternative", "05_ms_from_scratch"],
    };

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsCleanlyInQuickMode(string name)
    {
        foreach (var prerequisite in Prerequisites.GetValueOrDefault(name, []))
            if (!File.Exists(Path.Combine(ResultsFolder, prerequisite + ".json")))
                Assert.True(Run(prerequisite).Succeeded, $"{name} needs {prerequisite}, which failed.");

        var mainJobBefore = MainJobOutputs.Fingerprint();
        var run = Run(name);
        Assert.Equal(mainJobBefore, MainJobOutputs.Fingerprint());
        Assert.True(run.Succeeded, $"{name} failed:\n{string.Join("\n", run.Problems)}");

        // Nothing on stderr (compiler warnings, library logging): a participant sees it as a red block.
        var executed = JsonNode.Parse(File.ReadAllText(run.ExecutedPath))!;
        var stderr = NotebookChecks.Stderr(executed);
        Assert.True(stderr.Count == 0, $"{name} wrote to stderr:\n{string.Join("\n", stderr)}");

        // The page ./run.sh writes beside it opens without a kernel or network, and every chart draws in it.
        var page = NotebookRunner.ToHtml(run.ExecutedPath);
        var charts = Regex.Count(File.ReadAllText(page), "<div id=\\?\"cnnsentinel-chart-");
        if (charts > 0)
        {
            var dom = ExternalTools.RenderedDom(page);
            Assert.Equal(charts, Regex.Count(dom, "class=\"plot-container plotly\""));
        }
        Assert.True(new FileInfo(run.ExecutedPath).Length <= QuickModeNotebookBytes,
            $"{name} is {new FileInfo(run.ExecutedPath).Length / 1e6:0.0} MB executed; a quick-mode notebook should stay under {QuickModeNotebookBytes / 1e6:0} MB.");

        var resultsFile = Path.Combine(ResultsFolder, name + ".json");
        Assert.True(File.Exists(resultsFile), $"{name} saved no results ({resultsFile}).");
        var values = JsonNode.Parse(File.ReadAllText(resultsFile))!;
        Assert.True((bool)values["quick"]!, $"{name} did not run in quick mode.");
        NotebookChecks.For(name)?.Invoke(values, executed);
    }

    /// <summary>
    /// A participant who ran only 02 (<c>./run.sh --quick 00 02 07</c>) gets 07's reading of that run, and the names of
    /// the notebooks still to run, without errors.
    /// </summary>
    [Fact]
    public void InterpretResultsReadsWhatExistsWhenOnly02HasRun()
    {
        const string transfer = "02_rgb_transfer_learning";
        if (!File.Exists(Path.Combine(ResultsFolder, transfer + ".json")))
            Assert.True(Run(transfer).Succeeded, $"{transfer} failed.");
        var output = Path.Combine(TestEnvironment.RepositoryRoot, "out", "test-notebooks-02-only");
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var results = Directory.CreateDirectory(Path.Combine(output, "results")).FullName;
        foreach (var file in Directory.GetFiles(ResultsFolder, "02_rgb_transfer.*"))
            File.Copy(file, Path.Combine(results, Path.GetFileName(file)));

        var run = Run("07_interpret_results", output);
        Assert.True(run.Succeeded, $"07 with only 02's run failed:\n{string.Join("\n", run.Problems)}");
        var values = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "07_interpret_results.json")))!;
        Assert.Equal(["02_rgb_transfer"], values["runs"]!.AsArray().Select(r => (string)r!["Name"]!));
        Assert.Equal(["03_rgb_from_scratch", "04_ms_transfer_learning", "04b_ms_transfer_alternative", "05_ms_from_scratch"],
            values["missing"]!.AsArray().Select(m => (string)m!));
        Assert.True((int)values["embedded"]! > 0, "02's run is interpreted: errors, Grad-CAM, features");
        var executed = JsonNode.Parse(File.ReadAllText(run.ExecutedPath))!;
        Assert.Empty(NotebookChecks.Stderr(executed)); // no compiler warnings either
        var text = string.Concat(NotebookChecks.Outputs(executed).Select(o => NotebookChecks.Text(o["text"] ?? o["data"]?["text/plain"] ?? "")));
        Assert.Contains("have not run yet: 03_rgb_from_scratch", text);
        Assert.DoesNotContain("Exception", text);
    }

    static NotebookRunner.Result Run(string name, string? output = null) =>
        NotebookRunner.Run(Path.Combine(NotebookFolder, name + ".ipynb"), output ?? ExecutedFolder, quick: true,
            cellTimeout: TimeSpan.FromMinutes(10), new Dictionary<string, string> { [EnvironmentSettings.OutputVariable] = output ?? ExecutedFolder });
}

/// <summary>What <c>./run.sh</c> produced in <c>out/</c>: the folders a test run must not touch.</summary>
static class MainJobOutputs
{
    static readonly string[] Folders = ["notebooks", "results", "models", "scenes", "web", "splits"];

    /// <summary>Every file of those folders with its size and time of last change, one per line.</summary>
    public static string Fingerprint() => string.Join("\n", Folders
        .Select(f => Path.Combine(TestEnvironment.RepositoryRoot, "out", f))
        .Where(Directory.Exists)
        .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
        .Order(StringComparer.Ordinal)
        .Select(f => $"{Path.GetRelativePath(TestEnvironment.RepositoryRoot, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}"));
}

/// <summary>What particular notebooks must have produced, beyond running cleanly.</summary>
static class NotebookChecks
{
    public static Action<JsonNode, JsonNode>? For(string name) => name switch
    {
        "00_getting_started" => (values, executed) =>
        {
            Assert.True((double)values["lastLoss"]! < (double)values["firstLoss"]!);
            Assert.True((double)values["pointsAccuracy"]! > 0.9);
            // The kernel ran the library of this build, not a stale copy from NuGet's package cache.
            var built = Path.Combine(AppContext.BaseDirectory, "CnnSentinel.Lib.dll");
            Assert.Equal(Sha256(built), Sha256((string)values["library"]!));
            var mimeTypes = Outputs(executed).SelectMany(o => o["data"]?.AsObject().Select(p => p.Key) ?? []).ToList();
            Assert.Contains("image/png", mimeTypes);
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("Plotly.newPlot("));
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("cnnsentinel-tensor"));
            Assert.Contains(Outputs(executed), o => o["data"]?["text/html"] is { } html && Text(html).Contains("cnnsentinel-confusion"));
            // Training progress: a line per epoch with the validation figures.
            var progress = string.Concat(Outputs(executed).Where(o => (string?)o["name"] == "stdout").Select(o => Text(o["text"]!)));
            Assert.Contains($"epoch {(int)values["epochs"]!}/{(int)values["epochs"]!} · step", progress);
            Assert.Contains("val_acc", progress);
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
        "02_rgb_transfer_learning" => (values, executed) =>
        {
            // A line per epoch of both stages: stage 2 reuses stage 1's progress object in a later cell.
            var progress = string.Concat(Outputs(executed).Where(o => (string?)o["name"] == "stdout").Select(o => Text(o["text"]!)));
            Assert.Equal((int)values["epochs"]!, progress.Split('\n').Count(line => line.Contains("val_acc")));
        },
        "06_classify_scene" => (values, executed) =>
        {
            Assert.Equal("Naive", (string)values["mode"]!); // the shipped ResNet18 is padded: naive windows by default
            Assert.InRange((double)values["validationAccuracy"]!, 0, 1);
            Assert.True(File.Exists(Path.Combine(NotebookExecutionTests.ResultsFolder, "06_scene_cnn.safetensors")));
            Assert.Equal(1.0, (double)values["agreement"]!); // the scene CNN is unpadded: dense equals naive
            Assert.True((double)values["speedup"]! > 3, $"dense only {(double)values["speedup"]!:0}× naive");
            Assert.InRange((double)values["resnetDenseAgreement"]!, 0, 1);
            Assert.InRange((double)values["adaptiveShare"]!, 0.0625, 1); // at least the coarse lattice, at most every cell
            Assert.True((double)values["adaptiveAgreement"]! >= 0.98, $"adaptive agrees with naive windows on {(double)values["adaptiveAgreement"]!:P2} of the pixels");
            Assert.True((double)values["mosaicCentre"]! >= 0.7, $"mosaic centre accuracy {(double)values["mosaicCentre"]!:P1}");
            Assert.Equal(15, values["pixelCounts"]!.AsArray().Count); // ten classes and five masks
            Assert.True(File.Exists((string)values["classes"]!));
            Assert.StartsWith(NotebookExecutionTests.ExecutedFolder + Path.DirectorySeparatorChar, Path.GetFullPath((string)values["classes"]!));
            Assert.Equal(5, Outputs(executed).Count(o => o["data"]?["text/html"] is { } html && Text(html).Contains("data:image/png")));
        },
        _ => null,
    };

    static string Sha256(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>What the notebook wrote to stderr (compiler warnings, library logging): a participant sees it as a red block.</summary>
    public static List<string> Stderr(JsonNode notebook) =>
        Outputs(notebook).Where(o => (string?)o["name"] == "stderr").Select(o => Text(o["text"]!)).ToList();

    public static IEnumerable<JsonNode> Outputs(JsonNode notebook) =>
        notebook["cells"]!.AsArray().SelectMany(c => c?["outputs"]?.AsArray() ?? []).OfType<JsonNode>();

    public static string Text(JsonNode node) => node is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)node ?? "";
}
