using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using CnnSentinel.Runtime;

namespace CnnSentinel.Tools;

/// <summary>
/// What <c>cnnsentinel-bench time-to-accuracy</c> measured: per epoch, each side's wall time and validation accuracy
/// (the library and PyTorch training the same network on the same plan, taking turns epoch by epoch), and for each
/// target accuracy the time each side first reached it. Written by the bench; read by <c>cnnsentinel results</c> to
/// generate the README's speed figures from a committed copy (<see cref="FileName"/> in <c>data/results/</c>).
/// </summary>
/// <param name="Data">The name of the EuroSAT folder trained on.</param>
/// <param name="Recipe">The recipe, as <see cref="Training.TrainingRecipe.ToString"/> describes it.</param>
/// <param name="Epochs">Epochs the recipe plans.</param>
/// <param name="PyTorch">The reference's torch version.</param>
/// <param name="FirstBatchDifference">Largest absolute difference between both sides' first training batch (0: the same pixels).</param>
/// <param name="Machine">The machine and each side's thread count (<see cref="Runtime.MachineDescription.Current"/>).</param>
/// <param name="Library">The library's epochs.</param>
/// <param name="Reference">PyTorch's epochs.</param>
/// <param name="Targets">The accuracies to time.</param>
/// <param name="Precision">Each side's number format for its training steps, in words (<see cref="PrecisionInWords"/>);
/// null in reports written before the sides could differ, which name bfloat16 in <paramref name="Recipe"/> where both used it.</param>
public sealed record TimeToAccuracyReport(string Data, string Recipe, int Epochs, string PyTorch, double FirstBatchDifference,
    string Machine, IReadOnlyList<EpochPoint> Library, IReadOnlyList<EpochPoint> Reference, IReadOnlyList<double> Targets, string? Precision = null)
{
    /// <summary>The report's file name where both sides train in float32 (the anchor), in the bench's output folder and in <c>data/results/</c>.</summary>
    public const string FileName = "time-to-accuracy.json";

    /// <summary>
    /// The report's file name for a run with these number formats: <see cref="FileName"/> for float32 on both sides,
    /// else <c>time-to-accuracy-&lt;library&gt;-&lt;PyTorch&gt;.json</c>, so that a run at each side's best stands beside the anchor.
    /// </summary>
    public static string FileNameFor(ComputePrecision library, ComputePrecision reference) =>
        library == ComputePrecision.Float32 && reference == ComputePrecision.Float32 ? FileName
            : $"time-to-accuracy-{CpuPrecision.OptionValue(library)}-{CpuPrecision.OptionValue(reference)}.json";

    /// <summary>Each side's number format in words, as the report and the README state it.</summary>
    public static string PrecisionInWords(ComputePrecision library, ComputePrecision reference)
    {
        static string Side(ComputePrecision p, string mixed) => p == ComputePrecision.BFloat16 ? $"bfloat16 ({mixed})" : "float32";
        return library == reference && library == ComputePrecision.Float32 ? "training steps in float32 on both sides"
            : $"training steps in {Side(library, "the trainer's mixed precision")} for CnnSentinel, {Side(reference, "CPU autocast, channels-last")} for PyTorch";
    }

    // Infinity stands for "not reached" in the derived times.
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Whether both sides finished every planned epoch.</summary>
    public bool Complete => Library.Count == Epochs && Reference.Count == Epochs;

    /// <summary>For each target, the first time each side reached it (infinity: not reached in the epochs run).</summary>
    public IReadOnlyList<TargetTimes> Times => Targets.Select(t => new TargetTimes(t, FirstReach(Library, t), FirstReach(Reference, t))).ToList();

    static double FirstReach(IReadOnlyList<EpochPoint> points, double target) =>
        points.FirstOrDefault(p => p.Accuracy >= target)?.Seconds ?? double.PositiveInfinity;

    /// <summary>Writes the report atomically.</summary>
    public void Write(string path) => JsonReportFile.Write(path, this, Json);

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a report; the message names it.</exception>
    public static TimeToAccuracyReport Read(string path) =>
        JsonReportFile.Read<TimeToAccuracyReport>(path, Json, "a time-to-accuracy report written by the bench");

    /// <summary>The table of <see cref="Times"/> with the ratio, and each side's final accuracy, as Markdown.</summary>
    public string Markdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(string.Create(inv,
            $"Time to accuracy (`cnnsentinel-bench time-to-accuracy`, {Data}, {Recipe.Split(':')[0]} recipe, {PrecisionText}, " +
            $"{(Complete ? $"{Epochs} epochs" : $"{Math.Min(Library.Count, Reference.Count)} of {Epochs} epochs")}, {Machine}; " +
            $"both sides take turns epoch by epoch on the same plan, first training batch identical to {FirstBatchDifference:g3}):"));
        md.AppendLine();
        md.AppendLine($"| validation accuracy | CnnSentinel | PyTorch {PyTorch} | ratio |");
        md.AppendLine("| ---: | ---: | ---: | ---: |");
        foreach (var t in Times)
            md.AppendLine(string.Create(inv, $"| {t.Target:0.0##} | {Minutes(t.LibrarySeconds)} | {Minutes(t.ReferenceSeconds)} | {(double.IsFinite(t.Ratio) ? t.Ratio.ToString("0.00", inv) : "—")} |"));
        if (Library.Count > 0 && Reference.Count > 0)
            md.AppendLine(string.Create(inv,
                $"| final (epoch {Library[^1].Epoch} / {Reference[^1].Epoch}) | {Library[^1].Accuracy:0.0000} after {Minutes(Library[^1].Seconds)} | {Reference[^1].Accuracy:0.0000} after {Minutes(Reference[^1].Seconds)} | |"));
        if (Library.Count > 0 && Library[^1] is { GcPauseSeconds: { } pause, AllocatedBytes: { } allocated } last)
        {
            md.AppendLine();
            md.AppendLine(string.Create(inv,
                $"The library's garbage collector paused it {pause:0.0} s in all ({pause / last.Seconds * 100:0.0} % of its time); it allocated " +
                $"{allocated / 1e9 / last.Epoch:0.0} GB of managed memory per epoch."));
        }
        return md.ToString();
    }

    // Reports from before Precision existed: the bench named bfloat16 in the recipe where both sides used it.
    string PrecisionText => Precision ?? (Recipe.Contains("bfloat16", StringComparison.Ordinal)
        ? PrecisionInWords(ComputePrecision.BFloat16, ComputePrecision.BFloat16) : PrecisionInWords(ComputePrecision.Float32, ComputePrecision.Float32));

    static string Minutes(double seconds) => double.IsFinite(seconds) ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.0} min") : "not reached";
}

/// <summary>Wall time (seconds since the side's clock started, its waits excluded) and validation accuracy at the end of an epoch.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Seconds">Wall time since the side's clock started, its waits excluded.</param>
/// <param name="Accuracy">Validation accuracy after the epoch.</param>
/// <param name="GcPauseSeconds">The library's side only: time .NET's garbage collector paused the process since the run began (null for
/// PyTorch and in reports written before it was recorded).</param>
/// <param name="AllocatedBytes">The library's side only: bytes allocated on the managed heap since the run began.</param>
public sealed record EpochPoint(int Epoch, double Seconds, double Accuracy, double? GcPauseSeconds = null, long? AllocatedBytes = null);

/// <summary>When each side first reached <paramref name="Target"/>; <see cref="Ratio"/> is the library's time over PyTorch's (goal ≤ 1).</summary>
public sealed record TargetTimes(double Target, double LibrarySeconds, double ReferenceSeconds)
{
    /// <summary>Library time / PyTorch time; NaN unless both sides reached the target.</summary>
    [JsonIgnore] public double Ratio => double.IsFinite(LibrarySeconds) && double.IsFinite(ReferenceSeconds) ? LibrarySeconds / ReferenceSeconds : double.NaN;
}
