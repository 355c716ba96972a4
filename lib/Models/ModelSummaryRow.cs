namespace CnnSentinel.Models;

/// <summary>One call of one leaf layer during the summary's forward pass.</summary>
/// <param name="Layer">State-dict name of the layer (e.g. <c>layer1.0.conv1</c>).</param>
/// <param name="Type">Module type (e.g. <c>Conv2d</c>).</param>
/// <param name="OutputShape">Shape of its output, batch of one.</param>
/// <param name="Parameters">Its own parameter values (0 on the second and later calls of a shared layer).</param>
/// <param name="TrainableParameters">Of those, the ones that train.</param>
/// <param name="Flops">Floating-point operations of this call: 2 × multiply-adds of convolutions and linear layers, 0 for others.</param>
internal sealed record ModelSummaryRow(string Layer, string Type, long[] OutputShape, long Parameters, long TrainableParameters, long Flops);
