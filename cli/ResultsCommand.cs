using System.CommandLine;
using CnnSentinel.Tools;

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
            if (parse.GetValue(readme) is { } file)
                foreach (var line in ReadmeSections.Update(file.FullName, from)) Console.WriteLine($"results: {line}");
            else Console.Write(string.Join("\n", ReadmeSections.Of(from).Select(section => section.Markdown)));
            return 0;
        }));
        return command;
    }
}
