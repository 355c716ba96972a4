using System.CommandLine;
using CnnSentinel.Notebooks;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel notebooks</c>: executes the project's notebooks headless, in order.</summary>
static class NotebooksCommand
{
    public static Command Create()
    {
        var folder = new Option<DirectoryInfo>("--folder") { Description = "Folder of the notebooks.", DefaultValueFactory = _ => new DirectoryInfo("notebooks") };
        var output = new Option<DirectoryInfo>("--output") { Description = "Where the executed copies go (each also as an HTML page).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "notebooks")) };
        var quick = new Option<bool>("--quick") { Description = "Quick mode: the bundled sample and a few steps (what the tests run)." };
        var timeout = new Option<int>("--cell-timeout") { Description = "Longest a cell may run, in seconds.", DefaultValueFactory = _ => 3600 };
        var names = new Argument<string[]>("names") { Description = "Notebooks to run (file names or prefixes such as 00); all when none.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("notebooks", "Execute the notebooks headless with the .NET Interactive kernel and report errors.")
        {
            folder, output, quick, timeout, names,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(folder)!;
            if (!dir.Exists)
            {
                Console.Error.WriteLine($"notebooks: folder not found: {dir.FullName}");
                return 2;
            }
            var wanted = parse.GetValue(names) ?? [];
            var notebooks = dir.GetFiles("*.ipynb")
                .Where(f => wanted.Length == 0 || wanted.Any(w => f.Name.StartsWith(w, StringComparison.Ordinal)))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            if (notebooks.Count == 0)
            {
                Console.Error.WriteLine($"notebooks: none matched in {dir.FullName}");
                return 2;
            }
            var outDir = parse.GetValue(output)!.FullName;
            var runs = new List<NotebookRunner.Result>();
            foreach (var notebook in notebooks)
            {
                Console.WriteLine($"running {notebook.Name} ({(parse.GetValue(quick) ? "quick" : "full")} mode)…");
                var result = NotebookRunner.Run(notebook.FullName, outDir, parse.GetValue(quick), TimeSpan.FromSeconds(parse.GetValue(timeout)));
                runs.Add(result);
                Console.WriteLine($"  {(result.Succeeded ? "ok" : "FAILED")} in {result.Elapsed.TotalSeconds:0.0} s → {result.ExecutedPath}");
                if (File.Exists(result.ExecutedPath)) Console.WriteLine($"  page (opens without a kernel) → {NotebookRunner.ToHtml(result.ExecutedPath)}");
                foreach (var problem in result.Problems) Console.WriteLine($"  {problem}");
            }
            int failed = runs.Count(r => !r.Succeeded);
            Console.WriteLine($"{notebooks.Count - failed} of {notebooks.Count} notebooks ran cleanly; executed copies and their HTML pages in {outDir}");
            if (wanted.Length == 0)
            {
                // A run of all notebooks: its figures, for the README's table of the bundled sample (cnnsentinel results).
                var report = NotebookRunReport.Of(runs, NotebookResults.Directory, parse.GetValue(quick));
                var path = Path.Combine(NotebookResults.Directory, NotebookRunReport.FileName);
                report.Write(path);
                Console.WriteLine();
                Console.Write(report.Markdown());
                Console.WriteLine($"→ {path}");
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
