using System.Diagnostics;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;

namespace CnnSentinel.Training;

/// <summary>
/// Training progress as text: one line rewritten in place (a bar with loss, accuracy, images per
/// second and time left) and a line kept per epoch; a scene map's the same way, by blocks, with its last line kept. On a terminal and in a notebook the line is
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
public sealed class ConsoleProgress(TextWriter? output = null, bool? rewriteLine = null) : IProgress<TrainingProgress>, IProgress<SceneProgress>
{
    const int BarWidth = 20;
    TextWriter Out => output ?? Console.Out;
    readonly bool _rewrite = rewriteLine ?? (!Console.IsOutputRedirected || NotebookKernel.IsLoaded);
    readonly Stopwatch _sinceLast = Stopwatch.StartNew();

    /// <inheritdoc />
    public void Report(TrainingProgress value) => Draw(value.ToString(), Bar(value), kept: value.Completed is not null);

    /// <summary>A scene's map (<see cref="SceneMap.Write"/>): the same bar, by pixels done; the last block's line is kept.</summary>
    public void Report(SceneProgress value) => Draw(value.ToString(), Bar(value.Fraction), kept: value.IsComplete);

    void Draw(string line, string bar, bool kept)
    {
        if (kept)
        {
            Out.WriteLine(_rewrite ? $"\r{line}" + new string(' ', 8) : line);
            Out.Flush();
            return;
        }
        // Redraw at most 4 times a second in place, every 30 s into a log.
        var interval = _rewrite ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(30);
        if (_sinceLast.Elapsed < interval) return;
        _sinceLast.Restart();
        if (_rewrite) Out.Write($"\r{bar} {line}");
        else Out.WriteLine(line);
        Out.Flush();
    }

    /// <summary>A text bar of the run's progress, e.g. <c>[#####---------------]</c>.</summary>
    public static string Bar(TrainingProgress value) =>
        Bar(((value.Epoch - 1) * (double)value.Steps + value.Step) / Math.Max(1, value.Epochs * (double)value.Steps));

    static string Bar(double done)
    {
        int filled = (int)Math.Round(Math.Clamp(done, 0, 1) * BarWidth);
        return "[" + new string('#', filled) + new string('-', BarWidth - filled) + "]";
    }
}
