namespace CnnSentinel.Models.Pretrained;

/// <summary>A node of an ONNX graph (NodeProto).</summary>
/// <param name="Name">Node name (may be empty).</param>
/// <param name="OpType">Operator, e.g. <c>Conv</c>, <c>BatchNormalization</c>.</param>
/// <param name="Inputs">Names of the values it reads, in order.</param>
/// <param name="Outputs">Names of the values it writes.</param>
/// <param name="Attributes">Its attributes by name.</param>
internal sealed record OnnxNode(
    string Name,
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes);
