namespace CnnSentinel.Models.Pretrained;

/// <summary>The parts of an ONNX model that a weight import needs: nodes in file order and float initializers.</summary>
/// <param name="Nodes">The graph's nodes, in the order the file lists them (a topological order).</param>
/// <param name="Initializers">The float initializers by name.</param>
/// <param name="Inputs">Names of the graph inputs.</param>
/// <param name="Outputs">Names of the graph outputs.</param>
internal sealed record OnnxGraph(
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyDictionary<string, OnnxTensor> Initializers,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs);
