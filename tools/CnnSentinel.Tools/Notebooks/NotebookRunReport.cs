using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using CnnSentinel.Runtime;

namespace CnnSentinel.Tools;

/// <summary>
/// What one run of all the notebooks (<c>./run.sh</c>) did: each notebook's outcome and wall time, and the headline
/// figures its results file holds (validation accuracy, kappa, training images and time). <c>cnnsentinel notebooks</c>
/// writes it as <see cref="FileName"/> beside the results; <c>cnnsentinel results</c> generates the README's table of
/// the bundled sample from a committed copy in <c>data/results/</c>, so that no figure there is typed by hand.
/// </summary>
/// <param name="Quick">Quick mode (the tests' few steps) or full mode.</param>
/// <param name="Machine">The machine (<see cref="MachineDescription.Hardware"/>).</param>
/// <param name="Notebooks">The notebooks, in the order they ran.</param>
/// <param name="Finished">When the run ended (UTC, to the day); null in reports written before it was recorded.</param>
public sealed record NotebookRunReport(bool Quick, string Machine, IReadOnlyList<NotebookRunEntry> Notebooks, DateOnly? Finished = null)
{
    /// <summary>The report's file name, in the results folder and in <c>data/results/</c>.</summary>
    public const string FileName = "notebooks.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Wall time of all notebooks together.</summary>
    public double Seconds => Notebooks.Sum(n => n.Seconds);

    /// <summary>The report of <paramref name="runs"/>, with each notebook's figures read from its results file in <paramref name="resultsFolder"/>.</summary>
    public static NotebookRunReport Of(IEnumerable<NotebookRunner.Result> runs, string resultsFolder, bool quick) =>
        new(quick, MachineDescription.Hardware, runs.Select(r => NotebookRunEntry.Of(r, resultsFolder)).ToList(), DateOnly.FromDateTime(DateTime.UtcNow));

    /// <summary>Writes the report atomically.</summary>
    public void Write(string path) => JsonReportFile.Write(path, this, Json);

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a report; the message names it.</exception>
    public static NotebookRunReport Read(string path) => JsonReportFile.Read<NotebookRunReport>(path, Json,
        "a report written by cnnsentinel notebooks", r => r.Notebooks is null ? "no notebooks" : null);

    /// <summary>
    /// The notebooks that trained a model, as a Markdown table, with the run's mode, machine, date and total time above
    /// it, and what a rerun gives: the same figures only on the same machine and build.
    /// </summary>
    public string Markdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(string.Create(inv,
            $"`./run.sh`{(Quick ? " --quick" : "")}{(Finished is { } day ? $" of {day:yyyy-MM-dd}" : "")}: {Notebooks.Count(n => n.Succeeded)} of {Notebooks.Count} notebooks ran cleanly in {Seconds / 60:0.0} min on {Machine}."));
        md.AppendLine();
        md.AppendLine("The figures are that one run's. A rerun, even on the same kind of CPU, may give accuracies a few points apart " +
            "(the sample's validation sets are small) and other times: the notebooks are seeded, but their arithmetic repeats exactly " +
            "only on the same machine and build.");
        md.AppendLine();
        md.AppendLine("| notebook | validation accuracy | kappa | training images | training time | notebook time |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var n in Notebooks.Where(n => n.Accuracy is not null))
            md.AppendLine(string.Create(inv,
                $"| {n.Title}{(n.AccuracyOf is { } of ? $" ({of})" : "")} | {n.Accuracy:0.000} | {(n.Kappa is { } k ? k.ToString("0.000", inv) : "")} | {(n.TrainingImages is { } i ? i.ToString("N0", inv) : "")} | " +
                $"{(n.TrainingSeconds is { } t ? t.ToString("0", inv) + " s" : "")} | {n.Seconds:0} s |"));
        return md.ToString();
    }
}

/// <summary>One notebook of a <see cref="NotebookRunReport"/>.</summary>
/// <param name="Notebook">File name without extension, e.g. 02_rgb_transfer_learning.</param>
/// <param name="Title">The notebook's first heading, e.g. "02 · RGB transfer learning".</param>
/// <param name="Succeeded">Ran to the end without an error.</param>
/// <param name="Seconds">Wall time of the whole notebook.</param>
/// <param name="Accuracy">Validation accuracy of the model it trained (its results' <c>accuracy</c> or <c>validationAccuracy</c>), if any.</param>
/// <param name="Kappa">Its kappa, if reported.</param>
/// <param name="TrainingImages">Training images seen, if reported.</param>
/// <param name="TrainingSeconds">Training wall time, if reported.</param>
/// <param name="AccuracyOf">What the accuracy is of, where the notebook says (its results' <c>accuracyOf</c>, e.g. a model it
/// trains beside its main subject); null when it is of the notebook's own model.</param>
public sealed record NotebookRunEntry(string Notebook, string Title, bool Succeeded, double Seconds,
    double? Accuracy, double? Kappa, long? TrainingImages, double? TrainingSeconds, string? AccuracyOf = null)
{
    /// <summary>The entry of one run, with the figures of <c>&lt;notebook&gt;.json</c> in <paramref name="resultsFolder"/>.</summary>
    public static NotebookRunEntry Of(NotebookRunner.Result run, string resultsFolder)
    {
        var name = Path.GetFileNameWithoutExtension(run.Notebook);
        var resultsFile = Path.Combine(resultsFolder, name + ".json");
        var values = run.Succeeded && File.Exists(resultsFile) ? JsonNode.Parse(File.ReadAllText(resultsFile)) as JsonObject : null;
        double? Number(string key) => values?[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;
        return new NotebookRunEntry(name, FirstHeading(run.Notebook) ?? name, run.Succeeded, run.Elapsed.TotalSeconds,
            Number("accuracy") ?? Number("validationAccuracy"), Number("kappa"), (long?)Number("images"), Number("seconds"),
            values?["accuracyOf"] is JsonValue of && of.TryGetValue(out string? text) ? text : null);
    }

    /// <summary>The first Markdown heading of a notebook, without its <c>#</c>.</summary>
    static string? FirstHeading(string notebook) =>
        (JsonNode.Parse(File.ReadAllText(notebook))?["cells"]?.AsArray() ?? [])
            .Where(c => (string?)c?["cell_type"] == "markdown")
            .Select(c => NotebookRunner.Text(c!["source"]))
            .SelectMany(text => text.Split('\n'))
            .FirstOrDefault(line => line.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();
}
