using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Collects the nodes and weights of one ONNX graph and writes the model (opset <see cref="OpsetVersion"/>) through
/// onnx.proto's generated types. Tensor names are made unique here, so that callers name values after the modules
/// they come from.
/// </summary>
/// <remarks>
/// The types come from the OnnxSharp package (onnx.proto compiled for Google.Protobuf, MIT) rather than from compiling
/// onnx.proto at build time: the repository holds no code or text from elsewhere, and a copy of onnx.proto would be
/// one; the package is also what <see cref="Models.Pretrained.OnnxReader"/> reads with.
/// </remarks>
internal sealed class OnnxGraphWriter(OnnxWeights layerWeights = OnnxWeights.Float32)
{
    /// <summary>The ONNX operator set the nodes follow (attributes, not inputs, carry axes and pads up to 17).</summary>
    public const int OpsetVersion = 17;

    /// <summary>IR version 8: what opset 17 pairs with, read by ONNX Runtime 1.14 and later.</summary>
    const long IrVersion = 8;

    const int FloatType = (int)TensorProto.Types.DataType.Float;
    const int Int8Type = (int)TensorProto.Types.DataType.Int8;
    const int Float16Type = (int)TensorProto.Types.DataType.Float16;

    readonly GraphProto graph = new();
    readonly HashSet<string> names = [];
    bool firstLayerWeightWritten;

    /// <summary>A name not used yet, <paramref name="wanted"/> itself when it is free.</summary>
    public string UniqueName(string wanted) => TakeFreeName(names, wanted);

    /// <summary>
    /// <paramref name="wanted"/>, or it with the first free suffix <c>_1</c>, <c>_2</c>, …, added to <paramref name="taken"/>.
    /// </summary>
    public static string TakeFreeName(ISet<string> taken, string wanted)
    {
        var name = wanted;
        for (var i = 1; !taken.Add(name); i++) name = $"{wanted}_{i}";
        return name;
    }

    /// <summary>Adds a float weight (copied to the CPU as float32) and returns its name.</summary>
    public string Weight(string name, Tensor value)
    {
        using var cpu = value.detach().to(ScalarType.Float32, CPU).contiguous();
        return Initializer(name, FloatType, MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()), cpu.shape);
    }

    /// <summary>Adds an initializer of the given element type, bytes and shape, and returns its (unique) name.</summary>
    string Initializer(string name, int dataType, ReadOnlySpan<byte> bytes, IEnumerable<long> shape)
    {
        var initializer = new TensorProto { Name = UniqueName(name), DataType = dataType, RawData = ByteString.CopyFrom(bytes) };
        initializer.Dims.AddRange(shape);
        graph.Initializer.Add(initializer);
        return initializer.Name;
    }

    /// <summary>
    /// Adds the weight of a convolution or linear layer (output channels first) as the graph stores those
    /// (<see cref="OnnxWeights"/>) and returns the name of its float value: the weight itself, or, for int8, the output of
    /// a DequantizeLinear node over int8 values with one scale per output channel (<see cref="Int8Rounding"/>) — but
    /// for the first layer weight the graph gets, the one that reads the image, which is stored as float16 behind a Cast.
    /// </summary>
    /// <remarks>
    /// These weights are nearly all of a network's bytes, so int8 makes the file about a quarter the size, which is what
    /// a browser downloads. The first convolution is the exception because it is where rounding costs most and saves
    /// least: its error reaches every later layer, each of its output channels has few weights (ResNet18's: 3 × 7 × 7),
    /// and it is a thousandth of the network's bytes. Measured on the shipped model (bench web-model's mosaic, stride
    /// 16): rounding it to int8 decides about a fifth of the pixels whose label differs from float32's.
    /// </remarks>
    public string LayerWeight(string name, Tensor value)
    {
        if (layerWeights == OnnxWeights.Float32) return Weight(name, value);
        using var cpu = value.detach().to(ScalarType.Float32, CPU).contiguous();
        if (!firstLayerWeightWritten)
        {
            firstLayerWeightWritten = true;
            using var half = cpu.to(ScalarType.Float16);
            var halfValues = Initializer($"{name}.float16", Float16Type, MemoryMarshal.AsBytes(half.data<Half>().ToArray().AsSpan()), cpu.shape);
            return Node("Cast", name, [halfValues], Attribute("to", (long)FloatType));
        }
        var (quantised, scales) = Int8Rounding.PerOutputChannel(cpu);
        using (quantised)
        using (scales)
        {
            var channels = cpu.shape[0];
            var values = Initializer($"{name}.int8", Int8Type, MemoryMarshal.AsBytes(quantised.data<sbyte>().ToArray().AsSpan()), cpu.shape);
            var zeroPoint = Initializer($"{name}.zero_point", Int8Type, new byte[channels], [channels]);
            return Node("DequantizeLinear", name, [values, Weight($"{name}.scale", scales), zeroPoint], Attribute("axis", 0L));
        }
    }

    /// <summary>Adds a float weight of the given shape and values and returns its name.</summary>
    public string Weight(string name, float[] values, params long[] shape)
    {
        using var tensor = torch.tensor(values).reshape(shape);
        return Weight(name, tensor);
    }

    /// <summary>Adds a node with one output, named after <paramref name="name"/>, and returns the output's name.</summary>
    public string Node(string opType, string name, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        var output = UniqueName(name);
        var node = new NodeProto { Name = output, OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Attribute(string name, long value) => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attribute(string name, float value) => new() { Name = name, F = value, Type = AttributeProto.Types.AttributeType.Float };

    /// <summary>An attribute holding a list of integers.</summary>
    public static AttributeProto Attribute(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>
    /// The model's bytes: the graph with one float input and one float output, their shapes (a null
    /// dimension is symbolic, named <c>N</c>), and <paramref name="metadata"/> as metadata_props.
    /// </summary>
    public byte[] ToModel(string graphName, string input, long?[] inputShape, string output, long?[] outputShape, IReadOnlyDictionary<string, string> metadata)
    {
        graph.Name = graphName;
        graph.Input.Add(ValueInfo(input, inputShape));
        graph.Output.Add(ValueInfo(output, outputShape));
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "CnnSentinel",
            ProducerVersion = typeof(OnnxGraphWriter).Assembly.GetName().Version?.ToString(3) ?? "",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = OpsetVersion });
        model.MetadataProps.AddRange(metadata.Select(entry => new StringStringEntryProto { Key = entry.Key, Value = entry.Value }));
        return model.ToByteArray();
    }

    static ValueInfoProto ValueInfo(string name, long?[] shape)
    {
        var dims = new TensorShapeProto();
        dims.Dim.AddRange(shape.Select(dim => dim is { } size
            ? new TensorShapeProto.Types.Dimension { DimValue = size }
            : new TensorShapeProto.Types.Dimension { DimParam = "N" }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = dims } } };
    }
}
