using System.Diagnostics;
using System.Text.Json.Nodes;
using CnnSentinel.IO;
using CnnSentinel.Notebooks;

namespace CnnSentinel.Tools;

/// <summary>
/// Executes a notebook headless with Jupyter's nbconvert and the .NET Interactive kernel, and reports
/// what went wrong in it. The test suite and the <c>cnnsentinel notebooks</c> command both use it.
/// </summary>
public static class NotebookRunner
{
    /// <summary>A problem found in an executed notebook.</summary>
    /// <param name="Cell">Index of the code cell (0-based, counting all cells).</param>
    /// <param name="Message">Error name and value, or the stderr text.</param>
    public sealed record Problem(int Cell, string Message)
    {
        /// <inheritdoc />
        public override string ToString() => $"cell {Cell}: {Message}";
    }

    /// <summary>The outcome of one run.</summary>
    /// <param name="Notebook">The notebook that was run.</param>
    /// <param name="ExecutedPath">The executed copy, with outputs.</param>
    /// <param name="Problems">Error outputs and exceptions written to stderr, in cell order.</param>
    /// <param name="Log">What nbconvert printed.</param>
    /// <param name="Elapsed">Wall time.</param>
    public sealed record Result(string Notebook, string ExecutedPath, IReadOnlyList<Problem> Problems, string Log, TimeSpan Elapsed)
    {
        /// <summary>True when the notebook ran to the end without an error output or stderr exception.</summary>
        public bool Succeeded => Problems.Count == 0;
    }

    /// <summary>How long the kernel may take to start before a run fails (nbclient's own default is a minute).</summary>
    public static TimeSpan KernelStartupTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs <paramref name="notebook"/> in its own folder (so relative paths in it work) and writes the
    /// executed copy to <paramref name="outputDirectory"/>.
    /// </summary>
    /// <param name="notebook">The .ipynb file.</param>
    /// <param name="outputDirectory">Where the executed copy goes.</param>
    /// <param name="quick">Quick mode (<c>CNNSENTINEL_MODE=quick</c>) or full mode.</param>
    /// <param name="cellTimeout">Longest a single cell may run.</param>
    /// <param name="environment">Further environment variables for the kernel (e.g. <c>CNNSENTINEL_OUTPUT_DIR</c>, the output folder).</param>
    public static Result Run(string notebook, string outputDirectory, bool quick, TimeSpan cellTimeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        notebook = Path.GetFullPath(notebook);
        if (!File.Exists(notebook)) throw new FileNotFoundException($"Notebook not found: {notebook}", notebook);
        Directory.CreateDirectory(outputDirectory);
        var executed = Path.Combine(Path.GetFullPath(outputDirectory), Path.GetFileName(notebook));

        var start = new ProcessStartInfo(Python())
        {
            WorkingDirectory = Path.GetDirectoryName(notebook)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            "-m", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
            $"--ExecutePreprocessor.timeout={(int)cellTimeout.TotalSeconds}",
            // nbclient waits 60 s for the kernel by default; .NET Interactive on a busy 2-core machine can take longer to start.
            $"--ExecutePreprocessor.startup_timeout={(int)KernelStartupTimeout.TotalSeconds}",
            "--output-dir", Path.GetDirectoryName(executed)!, "--output", Path.GetFileName(executed), notebook,
        }) start.ArgumentList.Add(arg);
        start.Environment[RunMode.Variable] = quick ? "quick" : "full";
        // .NET Interactive is a dotnet global tool; make sure the kernel finds it even from a bare shell.
        var tools = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools");
        start.Environment["PATH"] = $"{Environment.GetEnvironmentVariable("PATH")}:{tools}";
        // Each notebook's first cell points NuGet at its checkout's package folder itself; run without any
        // inherited setting, so that a notebook that relies on one fails here rather than in a user's editor.
        start.Environment.Remove("RestoreAdditionalProjectSources");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        // The kernel restores the package this checkout's build wrote: the pack that wrote it forgot the copies NuGet and
        // the kernel had cached (targets ForgetExtractedPackage and ForgetKernelRestores in CnnSentinel.Lib.csproj).
        var clock = Stopwatch.StartNew();
        var (exitCode, output, errors) = RunToEnd(start);
        var log = output + errors;
        if (exitCode != 0 || !File.Exists(executed))
        {
            var hint = log.Contains("NoSuchKernel", StringComparison.Ordinal) || log.Contains("No module named nbconvert", StringComparison.Ordinal)
                ? " The notebook kernel or nbconvert is not installed: run scripts/setup.sh."
                : "";
            return new Result(notebook, executed, [new Problem(-1, $"nbconvert exited with code {exitCode}.{hint} {Tail(log)}")], log, clock.Elapsed);
        }
        return new Result(notebook, executed, FindProblems(executed), log, clock.Elapsed);
    }

    /// <summary>Error outputs and stderr streams that report an exception, in an executed notebook.</summary>
    public static IReadOnlyList<Problem> FindProblems(string executedNotebook)
    {
        var root = JsonNode.Parse(File.ReadAllText(executedNotebook))
            ?? throw new InvalidDataException($"{executedNotebook}: not a notebook.");
        var problems = new List<Problem>();
        var cells = root["cells"]?.AsArray() ?? [];
        for (int i = 0; i < cells.Count; i++)
        {
            foreach (var output in cells[i]?["outputs"]?.AsArray() ?? [])
            {
                var type = (string?)output?["output_type"];
                if (type == "error")
                    problems.Add(new Problem(i, $"{output?["ename"]}: {output?["evalue"]}"));
                else if (type == "stream" && (string?)output?["name"] == "stderr" && Text(output?["text"]) is var text
                         && (text.Contains("Exception", StringComparison.Ordinal) || text.Contains("error", StringComparison.OrdinalIgnoreCase)))
                    problems.Add(new Problem(i, text.Trim()));
            }
        }
        return problems;
    }

    /// <summary>A notebook text field (a cell's source, an output's text): a string or a list of lines, joined.</summary>
    internal static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        null => "",
        _ => (string?)node ?? "",
    };

    /// <summary>
    /// Writes <paramref name="executedNotebook"/> as a standalone HTML page beside it (<c>name.html</c>), to open in a
    /// browser without a kernel: outputs as they are, charts drawn by the plotly.js the notebook carries.
    /// </summary>
    /// <returns>The page's path.</returns>
    /// <exception cref="InvalidOperationException">nbconvert failed; the message has its output.</exception>
    public static string ToHtml(string executedNotebook)
    {
        executedNotebook = Path.GetFullPath(executedNotebook);
        var html = Path.ChangeExtension(executedNotebook, ".html");
        var start = new ProcessStartInfo(Python()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-m", "nbconvert", "--to", "html", "--stdout", executedNotebook })
            start.ArgumentList.Add(arg);
        var (exitCode, page, errors) = RunToEnd(start);
        if (exitCode != 0 || page.Length == 0)
            throw new InvalidOperationException($"{executedNotebook}: nbconvert --to html failed ({exitCode}). {Tail(errors)}");
        // Written atomically, so that a half-written page never stands in for a good one.
        AtomicFile.WriteAllText(html, page);
        return html;
    }

    /// <summary>Runs <paramref name="start"/> (output redirected) to the end: its exit code and what it printed.</summary>
    static (int ExitCode, string Output, string Errors) RunToEnd(ProcessStartInfo start)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    static string Python() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; // Debian's, which has nbconvert

    static string Tail(string log) => log.Length <= 2000 ? log : "…" + log[^2000..];
}
