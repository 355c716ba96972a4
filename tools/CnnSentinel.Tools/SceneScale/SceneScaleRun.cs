using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
namespace CnnSentinel.Tools;

/// <summary>
/// One measured classification of a synthetic scene (<see cref="SceneScaleReport"/>): the map files written as
/// <c>classify</c> writes them, in a process of its own so that its peak memory is its own.
/// </summary>
/// <param name="Size">Side of the square scene, in pixels.</param>
/// <param name="Mode">Naive or dense.</param>
/// <param name="Stride">Pixels between classified window centres.</param>
/// <param name="Seconds">Wall time from the first block to the last file written.</param>
/// <param name="ClassifySeconds">Of that, the time spent producing the blocks (reading, the model, interpolation); the rest is writing.</param>
/// <param name="ForwardSeconds">Of that, the time inside the network's forward passes.</param>
/// <param name="ReadSeconds">A separate pass reading the same blocks with their margins through GDAL, after the run (the file in the page cache, as in the run).</param>
/// <param name="Flops">FLOPs the network's convolutions and linear layers executed (2 per multiply-add).</param>
/// <param name="PeakMiB">The process's peak resident memory (VmHWM), in MiB.</param>
/// <param name="Agreement">Dense mode: the share of sampled cell centres where the dense map agreed with naive windows; null in naive mode.</param>
/// <param name="Precision">The number format the network computed in (float32 in reports from before it was recorded).</param>
public sealed record SceneScaleRun(int Size, ClassificationMode Mode, int Stride, double Seconds, double ClassifySeconds,
    double ForwardSeconds, double ReadSeconds, long Flops, double PeakMiB, double? Agreement, ComputePrecision Precision = ComputePrecision.Float32)
{
    /// <summary>Pixels classified per second, writing included.</summary>
    public double PixelsPerSecond => (double)Size * Size / Seconds;

    /// <summary>Time spent writing the map files (everything outside the classifier).</summary>
    public double WriteSeconds => Seconds - ClassifySeconds;

    /// <summary>Classification time neither in the network nor in reading: normalisation, cloud test, cutting windows, interpolation.</summary>
    public double RestSeconds => ClassifySeconds - ForwardSeconds - ReadSeconds;

    /// <summary>FLOPs per second inside the forward passes, in GFLOP/s.</summary>
    public double GflopPerSecond => Flops / ForwardSeconds / 1e9;
}
