using System.Diagnostics;
using CnnSentinel.Runtime;

namespace CnnSentinel.Training;

/// <summary>
/// Training progress as text: one line rewritten in place (a bar with loss, accuracy, images per
/// second and time left) and a line kept per epoch. On a terminal and in a notebook the line is
/// rewritten with a carriage return, which Jupyter, VS Code and nbconvert render as one updating
/// line; into a file or pipe it writes a line per epoch and one every 30 seconds.
/// </summary>
/// <remarks>
/// Text rather than a replaced HTML output: .NET Interactive 1.0.712001 sends display updates with a
/// display id that differs from the original output's, so Jupyter front ends drop them.
/// </remarks>
/// <param name="output">Where to write; when null, whatever <see cref="Console.Out"/> is at each write. A notebook kernel
/// gives every cell a console writer of its own, so one progress object made in an earlier cell (say, options copied
/// with <c>with</c> for a second training stage) must write to the running cell's, not the first cell's.</param>
/// <param name="rewriteLine">Rewrite one line in place; by default on a terminal or in a notebook kernel.</param>
public sealed class ConsoleProgress(TextWriter? output = null, bool? rewriteLine = null) : IProgress<TrainingProgress>
{
    const int BarWidth = 20;
    TextWriter Out => output ?? Console.Out;
    readonly bool _rewrite = rewriteLine ?? (!Console.IsOutputRedirected || NotebookKernel.IsLoaded);
    readonly Stopwatch _sinceLast = Stopwatch.StartNew();

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        if (value.Completed is not null)
        {
            Out.WriteLine(_rewrite ? $"\r{value}" + new string(' ', 8) : value.ToString());
            Out.Flush();
            return;
        }
        // Redraw at most 4 times a second in place, every 30 s into a log.
        var interval = _rewrite ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(30);
        if (_sinceLast.Elapsed < interval) return;
        _sinceLast.Restart();
        if (_rewrite) Out.Write($"\r{Bar(value)} {value}");
        else Out.WriteLine(value.ToString());
        Out.Flush();
    }

    /// <summary>A text bar of the run's progress, e.g. <c>[#####---------------]</c>.</summary>
    public static string Bar(TrainingProgress value)
    {
        double done = ((value.Epoch - 1) * (double)value.Steps + value.Step) / Math.Max(1, value.Epochs * (double)value.Steps);
        int filled = (int)Math.Round(Math.Clamp(done, 0, 1) * BarWidth);
        return "[" + new string('#', filled) + new string('-', BarWidth - filled) + "]";
    }
}
