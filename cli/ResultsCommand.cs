using System.CommandLine;
using CnnSentinel.Evaluation;
using CnnSentinel.Evaluation.Assessment;
using CnnSentinel.IO;
using CnnSentinel.Notebooks;
using CnnSentinel.Scenes;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel results</c>: the full-data results table from the model descriptions in a folder, the bundled sample's
/// table and the scene-scale bench's section, printed or spliced into the README; with <c>--update</c>, the real-scenes
/// bench's rows also go into the shipped model's card when the report is of that model.
/// </summary>
static class ResultsCommand
{
    public static Command Create()
    {
        var folder = new Option<DirectoryInfo>("--from") { Description = "Folder of model descriptions (.description.json, written by train beside each model file) and, optionally, the time-to-accuracy bench's report, the notebooks' run report (notebooks.json) the scene-scale bench's report (scene-scale.json), the map-accuracy bench's reports (map-accuracy*.json), the real-scenes bench's report (real-scenes.json) and the loader and trainer benches' reports (loader.json, trainer.json).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Root, "data", "results")) };
        var readme = new Option<FileInfo?>("--update") { Description = "Markdown file whose generated results section to rewrite (e.g. README.md); the shipped model's card (data/models/*.md) then gets the real-scenes report's rows too, when the report is of that model." };
        var command = new Command("results", "Print the table of full-data training results (or rewrite it in the README) from the runs' model descriptions.") { folder, readme };
        command.SetAction(parse => CommandErrors.Run("results", () =>
        {
            var from = parse.GetValue(folder)!.FullName;
            var table = ResultsTable.Section(from);
            var notebooks = Path.Combine(from, NotebookRunReport.FileName);
            var bundled = File.Exists(notebooks) ? NotebookRunReport.Read(notebooks).Markdown() : null;
            var scalePath = Path.Combine(from, SceneScaleReport.FileName);
            var scale = File.Exists(scalePath) ? SceneScaleReport.Read(scalePath).Markdown() : null;
            var mapAccuracy = MapAccuracyReport.Markdown(from);
            var benchmarks = ThroughputReport.Section(from);
            var realScenes = RealScenesReport.Markdown(from);
            if (parse.GetValue(readme) is { } file)
            {
                var markdown = ResultsTable.Splice(File.ReadAllText(file.FullName), table);
                if (bundled is not null) markdown = ResultsTable.Splice(markdown, bundled, ResultsTable.BundledBeginMarker, ResultsTable.BundledEndMarker);
                if (scale is not null) markdown = ResultsTable.Splice(markdown, scale, SceneScaleReport.BeginMarker, SceneScaleReport.EndMarker);
                if (mapAccuracy is not null) markdown = ResultsTable.Splice(markdown, mapAccuracy, MapAccuracyReport.BeginMarker, MapAccuracyReport.EndMarker);
                if (realScenes is not null) markdown = ResultsTable.Splice(markdown, realScenes, RealScenesReport.BeginMarker, RealScenesReport.EndMarker);
                if (benchmarks is not null) markdown = ResultsTable.Splice(markdown, benchmarks, ThroughputReport.BeginMarker, ThroughputReport.EndMarker);
                AtomicFile.WriteAllText(file.FullName, markdown);
                Console.WriteLine($"results: {file.FullName} updated");
                var card = Path.ChangeExtension(ProjectPaths.ShippedRgbModel, ".md");
                if (File.Exists(card) && RealScenesReport.CardSection(from, Path.GetFileName(ProjectPaths.ShippedRgbModel)) is { } cardSection)
                {
                    AtomicFile.WriteAllText(card, RealScenesReport.SpliceIntoCard(File.ReadAllText(card), cardSection));
                    Console.WriteLine($"results: {card} updated (real scenes)");
                }
            }
            else Console.Write(string.Join("\n", new[] { table, bundled, scale, mapAccuracy, realScenes, benchmarks }.OfType<string>()));
            return 0;
        }));
        return command;
    }
}
