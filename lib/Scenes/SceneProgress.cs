using System.Globalization;
using CnnSentinel.Runtime;

namespace CnnSentinel.Scenes;

/// <summary>
/// How far a scene's map has come (<see cref="SceneMap.Write"/>, <see cref="SceneMap.Classify"/>): blocks and pixels done
/// of all, the rate so far and the time left at that rate. A full tile takes tens of minutes and a mosaic hours, so the
/// user sees it move.
/// </summary>
/// <param name="Block">Blocks done.</param>
/// <param name="Blocks">Blocks in the scene.</param>
/// <param name="Pixels">Pixels done.</param>
/// <param name="TotalPixels">Pixels in the scene.</param>
/// <param name="Elapsed">Time since the first block was asked for.</param>
public sealed record SceneProgress(int Block, int Blocks, long Pixels, long TotalPixels, TimeSpan Elapsed)
{
    /// <summary>The share of pixels done, 0–1.</summary>
    public double Fraction => TotalPixels == 0 ? 1 : (double)Pixels / TotalPixels;

    /// <summary>True once the last block is done.</summary>
    public bool IsComplete => Block == Blocks;

    /// <summary>Pixels per second so far.</summary>
    public double PixelsPerSecond => Elapsed.TotalSeconds > 0 ? Pixels / Elapsed.TotalSeconds : 0;

    /// <summary>
    /// The time left at the rate so far. Blocks without data go fast, so on a scene with large empty parts this is a
    /// rough guide.
    /// </summary>
    public TimeSpan Remaining => PixelsPerSecond > 0 ? TimeSpan.FromSeconds((TotalPixels - Pixels) / PixelsPerSecond) : TimeSpan.Zero;

    /// <summary>One line: blocks, pixels (with the share done), rate and time left, or the time taken once complete.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"block {Block}/{Blocks} · {Megapixels(Pixels)} of {Megapixels(TotalPixels)} Mpx ({Fraction:P0}) · {PixelsPerSecond / 1e6:0.00} Mpx/s · ") +
        (IsComplete ? $"done in {ClockFormat.Of(Elapsed)}" : $"ETA {ClockFormat.Of(Remaining)}");

    static string Megapixels(long pixels) => (pixels / 1e6).ToString(pixels < 10_000_000 ? "0.00" : "0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Passes <paramref name="blocks"/> on unchanged, reporting to <paramref name="progress"/> after each one.
    /// </summary>
    internal static IEnumerable<ClassifiedBlock> Track(IEnumerable<ClassifiedBlock> blocks, int width, int height, int blockSize,
        IProgress<SceneProgress>? progress)
    {
        if (progress is null) return blocks;
        return Tracked(blocks, width, height, blockSize, progress);
    }

    static IEnumerable<ClassifiedBlock> Tracked(IEnumerable<ClassifiedBlock> blocks, int width, int height, int blockSize,
        IProgress<SceneProgress> progress)
    {
        int count = checked((int)(((long)width + blockSize - 1) / blockSize * (((long)height + blockSize - 1) / blockSize)));
        long total = (long)width * height, done = 0;
        int block = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var classified in blocks)
        {
            yield return classified;
            done += (long)classified.Width * classified.Height;
            progress.Report(new SceneProgress(++block, count, done, total, watch.Elapsed));
        }
    }
}
