using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Collects the nodes and weights of one ONNX graph and writes the model (onnx.proto's ModelProto, opset
/// <see cref="OpsetVersion"/>) with <see cref="ProtoMessage"/>. Tensor names are made unique here, so that
/// callers name values after the modules they come from.
/// </summary>
internal sealed class OnnxGraphWriter
{
    /// <summary>The ONNX operator set the nodes follow (attributes, not inputs, carry axes and pads up to 17).</summary>
    public const int OpsetVersion = 17;

    /// <summary>IR version 8: what opset 17 pairs with, read by ONNX Runtime 1.14 and later.</summary>
    const int IrVersion = 8;

    const int FloatType = 1;
    const int Int64Type = 7;

    readonly List<ProtoMessage> nodes = [];
    readonly List<ProtoMessage> initializers = [];
    readonly HashSet<string> names = [];

    /// <summary>A name not used yet, <paramref name="wanted"/> itself when it is free.</summary>
    public string UniqueName(string wanted)
    {
        var name = wanted;
        for (var i = 1; !names.Add(name); i++) name = $"{wanted}_{i}";
        return name;
    }

    /// <summary>Adds a float weight (copied to the CPU as float32) and returns its name.</summary>
    public string Weight(string name, Tensor value)
    {
        using var cpu = value.detach().to(ScalarType.Float32, CPU).contiguous();
        var data = cpu.data<float>().ToArray();
        name = UniqueName(name);
        initializers.Add(new ProtoMessage()
            .PackedInt64s(1, cpu.shape)
            .Int64(2, FloatType)
            .String(8, name)
            .Bytes(9, MemoryMarshal.AsBytes(data.AsSpan())));
        return name;
    }

    /// <summary>Adds a float weight of the given shape and values and returns its name.</summary>
    public string Weight(string name, float[] values, params long[] shape)
    {
        using var tensor = torch.tensor(values).reshape(shape);
        return Weight(name, tensor);
    }

    /// <summary>Adds an int64 constant (e.g. a shape) and returns its name.</summary>
    public string Int64Constant(string name, params long[] values)
    {
        name = UniqueName(name);
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        initializers.Add(new ProtoMessage().PackedInt64s(1, [values.Length]).Int64(2, Int64Type).String(8, name).Bytes(9, bytes));
        return name;
    }

    /// <summary>Adds a node with one output, named after <paramref name="name"/>, and returns the output's name.</summary>
    public string Node(string opType, string name, IReadOnlyList<string> inputs, params ProtoMessage[] attributes)
    {
        var output = UniqueName(name);
        var node = new ProtoMessage();
        foreach (var input in inputs) node.String(1, input);
        node.String(2, output).String(3, output).String(4, opType);
        foreach (var attribute in attributes) node.Message(5, attribute);
        nodes.Add(node);
        return output;
    }

    /// <summary>An integer attribute.</summary>
    public static ProtoMessage Attribute(string name, long value) => new ProtoMessage().String(1, name).Int64(3, value).Int64(20, 2);

    /// <summary>A float attribute.</summary>
    public static ProtoMessage Attribute(string name, float value) => new ProtoMessage().String(1, name).Float(2, value).Int64(20, 1);

    /// <summary>An attribute holding a list of integers.</summary>
    public static ProtoMessage Attribute(string name, IEnumerable<long> values) => new ProtoMessage().String(1, name).PackedInt64s(8, values).Int64(20, 7);

    /// <summary>
    /// The model's bytes: the graph with one float input and one float output, their shapes (a null
    /// dimension is symbolic, named <c>N</c>), and <paramref name="metadata"/> as metadata_props.
    /// </summary>
    public byte[] ToModel(string graphName, string input, long?[] inputShape, string output, long?[] outputShape, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new ProtoMessage();
        foreach (var node in nodes) graph.Message(1, node);
        graph.String(2, graphName);
        foreach (var initializer in initializers) graph.Message(5, initializer);
        graph.Message(11, ValueInfo(input, inputShape));
        graph.Message(12, ValueInfo(output, outputShape));
        var model = new ProtoMessage()
            .Int64(1, IrVersion)
            .String(2, "CnnSentinel")
            .String(3, typeof(OnnxGraphWriter).Assembly.GetName().Version?.ToString(3) ?? "")
            .Message(7, graph)
            .Message(8, new ProtoMessage().Int64(2, OpsetVersion));
        foreach (var (key, value) in metadata) model.Message(14, new ProtoMessage().String(1, key).String(2, value));
        return model.ToBytes();
    }

    static ProtoMessage ValueInfo(string name, long?[] shape)
    {
        var dims = new ProtoMessage();
        foreach (var dim in shape)
            dims.Message(1, dim is { } size ? new ProtoMessage().Int64(1, size) : new ProtoMessage().String(2, "N"));
        var tensorType = new ProtoMessage().Int64(1, FloatType).Message(2, dims);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensorType));
    }
}
