namespace CnnSentinel.Models.Pretrained;

/// <summary>A float initializer of an ONNX graph (TensorProto with data type FLOAT).</summary>
/// <param name="Name">The initializer's name, as node inputs refer to it.</param>
/// <param name="Dims">Its shape.</param>
/// <param name="Values">Its values in row-major order.</param>
internal sealed record OnnxTensor(string Name, long[] Dims, float[] Values);
