using System.Text.Json.Nodes;
using CnnSentinel.Notebooks;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class NotebookRunReportTests
{
    [Fact]
    public void TheReportTakesEachNotebooksFiguresFromItsResultsAndRoundTrips()
    {
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            string Notebook(string name, string heading)
            {
                var path = Path.Combine(folder, name + ".ipynb");
                var cell = new JsonObject { ["cell_type"] = "markdown", ["source"] = new JsonArray($"# {heading}\n", "\n", "Text.") };
                File.WriteAllText(path, new JsonObject { ["cells"] = new JsonArray(cell) }.ToJsonString());
                return path;
            }
            File.WriteAllText(Path.Combine(folder, "02_rgb.json"), """{ "quick": false, "accuracy": 0.88, "kappa": 0.8667, "images": 4200, "seconds": 19.4 }""");
            File.WriteAllText(Path.Combine(folder, "06_scene.json"), """{ "quick": false, "validationAccuracy": 0.6733, "accuracyOf": "scene CNN trained here, not the map" }""");
            File.WriteAllText(Path.Combine(folder, "08_web.json"), """{ "quick": false, "onnxBytes": 1000 }""");
            NotebookRunner.Result Run(string name, string heading, double seconds, bool ok = true) =>
                new(Notebook(name, heading), "", ok ? [] : [new NotebookRunner.Problem(3, "boom")], "", TimeSpan.FromSeconds(seconds));

            var report = NotebookRunReport.Of([Run("02_rgb", "02 · RGB", 30), Run("06_scene", "06 · Scene", 60), Run("08_web", "08 · Web", 5), Run("09_broken", "09 · Broken", 1, ok: false)], folder, quick: false);

            Assert.Equal(96, report.Seconds, 6);
            Assert.Equal(new NotebookRunEntry("02_rgb", "02 · RGB", true, 30, 0.88, 0.8667, 4200, 19.4), report.Notebooks[0]);
            Assert.Equal(0.6733, report.Notebooks[1].Accuracy);
            Assert.Null(report.Notebooks[1].Kappa);
            Assert.Null(report.Notebooks[2].Accuracy);
            Assert.False(report.Notebooks[3].Succeeded);

            var markdown = report.Markdown();
            Assert.Contains("3 of 4 notebooks ran cleanly in 1.6 min", markdown);
            Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), report.Finished);
            Assert.Contains("| 02 · RGB | 0.880 | 0.867 | 4,200 | 19 s | 30 s |", markdown);
            Assert.Contains("| 06 · Scene (scene CNN trained here, not the map) | 0.673 |  |  |  | 60 s |", markdown);
            // Which run, and what a rerun gives.
            Assert.Contains($"`./run.sh` of {DateTime.UtcNow:yyyy-MM-dd}: 3 of 4", markdown);
            Assert.Contains("repeats exactly only on the same machine and build", markdown);
            Assert.Contains("a few points apart", markdown);
            Assert.DoesNotContain("08 · Web", markdown);

            var path = Path.Combine(folder, NotebookRunReport.FileName);
            report.Write(path);
            var read = NotebookRunReport.Read(path);
            Assert.Equal(report.Notebooks, read.Notebooks);
            Assert.Equal(markdown, read.Markdown());

            File.WriteAllText(path, "[1, 2]");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => NotebookRunReport.Read(path)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
