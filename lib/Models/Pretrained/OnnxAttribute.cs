namespace CnnSentinel.Models.Pretrained;

/// <summary>A node attribute of an ONNX graph (AttributeProto), the scalar and integer-list kinds only.</summary>
/// <param name="Name">Attribute name (e.g. <c>strides</c>, <c>epsilon</c>).</param>
/// <param name="Float">The float value, when it is one.</param>
/// <param name="Int">The integer value, when it is one.</param>
/// <param name="Text">The string value, when it is one.</param>
/// <param name="Ints">The integer list (empty when it is none).</param>
internal sealed record OnnxAttribute(string Name, float? Float, long? Int, string? Text, long[] Ints);
