using System.CommandLine;
using CnnSentinel.Notebooks;
using CnnSentinel.Tools;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel notebooks</c>: executes the project's notebooks headless, in order.</summary>
static class NotebooksCommand
{
    static readonly Option<DirectoryInfo> Folder = new("--folder") { Description = "Folder of the notebooks.", DefaultValueFactory = _ => new DirectoryInfo("notebooks") };
    static readonly Option<DirectoryInfo> Output = new("--output") { Description = "Where the executed copies go (each also as an HTML page).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(ProjectPaths.Output, "notebooks")) };
    static readonly Option<bool> Quick = new("--quick") { Description = "Quick mode: the bundled sample and a few steps (what the tests run)." };
    static readonly Option<int> Timeout = new("--cell-timeout") { Description = "Longest a cell may run, in seconds.", DefaultValueFactory = _ => 3600 };
    static readonly Argument<string[]> Names = new("names") { Description = "Notebooks to run (file names or prefixes such as 00); all when none.", Arity = ArgumentArity.ZeroOrMore };

    public static Command Create()
    {
        var command = new Command("notebooks", "Execute the notebooks headless with the .NET Interactive kernel and report errors.")
        {
            Folder, Output, Quick, Timeout, Names,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(Folder)!;
            if (!dir.Exists)
            {
                Console.Error.WriteLine($"notebooks: folder not found: {dir.FullName}");
                return 2;
            }
            var wanted = parse.GetValue(Names) ?? [];
            var notebooks = dir.GetFiles("*.ipynb")
                .Where(f => wanted.Length == 0 || wanted.Any(w => f.Name.StartsWith(w, StringComparison.Ordinal)))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            if (notebooks.Count == 0)
            {
                Console.Error.WriteLine($"notebooks: none matched in {dir.FullName}");
                return 2;
            }
            return Run(notebooks, parse.GetValue(Output)!.FullName, parse.GetValue(Quick), TimeSpan.FromSeconds(parse.GetValue(Timeout)), all: wanted.Length == 0);
        });
        return command;
    }

    /// <summary>Runs <paramref name="notebooks"/> in order, saying how each went; for a run of <paramref name="all"/>, writes its report.</summary>
    static int Run(IReadOnlyList<FileInfo> notebooks, string outDir, bool quick, TimeSpan cellTimeout, bool all)
    {
        var runs = new List<NotebookRunner.Result>();
        foreach (var notebook in notebooks)
        {
            Console.WriteLine($"running {notebook.Name} ({(quick ? "quick" : "full")} mode)…");
            var result = NotebookRunner.Run(notebook.FullName, outDir, quick, cellTimeout);
            runs.Add(result);
            Console.WriteLine($"  {(result.Succeeded ? "ok" : "FAILED")} in {result.Elapsed.TotalSeconds:0.0} s → {result.ExecutedPath}");
            if (File.Exists(result.ExecutedPath)) Console.WriteLine($"  page (opens without a kernel) → {NotebookRunner.ToHtml(result.ExecutedPath)}");
            foreach (var problem in result.Problems) Console.WriteLine($"  {problem}");
        }
        int failed = runs.Count(r => !r.Succeeded);
        Console.WriteLine($"{notebooks.Count - failed} of {notebooks.Count} notebooks ran cleanly; executed copies and their HTML pages in {outDir}");
        if (all)
        {
            // A run of all notebooks: its figures, for the README's table of the bundled sample (cnnsentinel results).
            var report = NotebookRunReport.Of(runs, NotebookResults.Directory, quick);
            var path = Path.Combine(NotebookResults.Directory, NotebookRunReport.FileName);
            report.Write(path);
            Console.WriteLine();
            Console.Write(report.Markdown());
            Console.WriteLine($"→ {path}");
        }
        return failed == 0 ? 0 : 1;
    }
}
