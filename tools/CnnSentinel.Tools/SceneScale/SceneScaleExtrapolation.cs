using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
namespace CnnSentinel.Tools;

/// <summary>A full Sentinel-2 tile's cost for one mode, stride and precision, extrapolated from measured scenes (<see cref="SceneScaleReport.Extrapolate"/>).</summary>
/// <param name="Mode">Naive or dense.</param>
/// <param name="Stride">Pixels between classified window centres.</param>
/// <param name="FromSize">Side of the largest scene measured, which the time is scaled from.</param>
/// <param name="Seconds">Wall time, writing included.</param>
/// <param name="PeakMiB">Peak resident memory, in MiB.</param>
/// <param name="Flops">FLOPs of the network.</param>
/// <param name="Precision">The number format the network computed in.</param>
public sealed record SceneScaleExtrapolation(ClassificationMode Mode, int Stride, int FromSize, double Seconds, double PeakMiB, double Flops,
    ComputePrecision Precision = ComputePrecision.Float32);
