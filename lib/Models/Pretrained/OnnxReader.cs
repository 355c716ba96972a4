using System.Runtime.InteropServices;
using Google.Protobuf;

namespace CnnSentinel.Models.Pretrained;

/// <summary>
/// A minimal reader of ONNX files (protobuf ModelProto → GraphProto → nodes, initializers), enough to import
/// the weights of a convolutional network; it needs no generated code, only Google.Protobuf's wire reader.
/// </summary>
/// <remarks>Field numbers are those of onnx.proto (IR version 3 and later); unknown fields are skipped.</remarks>
internal static class OnnxReader
{
    const int FloatDataType = 1;

    /// <summary>Reads the graph of the ONNX model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model; the message names it.</exception>
    public static OnnxGraph Read(string path)
    {
        try
        {
            var graph = Messages(File.ReadAllBytes(path), field: 7).ToList(); // ModelProto.graph
            if (graph.Count != 1) throw new InvalidDataException($"expected one graph, found {graph.Count}");
            return ReadGraph(graph[0]);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{path} is not a readable ONNX model: {e.Message}", e);
        }
    }

    static OnnxGraph ReadGraph(ByteString graph)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        foreach (var (field, value) in Fields(graph))
        {
            switch (field)
            {
                case 1: nodes.Add(ReadNode(value.Bytes!)); break;
                case 5:
                    if (ReadTensor(value.Bytes!) is { } tensor) initializers[tensor.Name] = tensor;
                    break;
                case 11: inputs.Add(NameOf(value.Bytes!)); break;
                case 12: outputs.Add(NameOf(value.Bytes!)); break;
            }
        }
        return new OnnxGraph(nodes, initializers, inputs, outputs);
    }

    static OnnxNode ReadNode(ByteString node)
    {
        string name = "", opType = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>();
        foreach (var (field, value) in Fields(node))
        {
            switch (field)
            {
                case 1: inputs.Add(value.Bytes!.ToStringUtf8()); break;
                case 2: outputs.Add(value.Bytes!.ToStringUtf8()); break;
                case 3: name = value.Bytes!.ToStringUtf8(); break;
                case 4: opType = value.Bytes!.ToStringUtf8(); break;
                case 5:
                    var attribute = ReadAttribute(value.Bytes!);
                    attributes[attribute.Name] = attribute;
                    break;
            }
        }
        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }

    static OnnxAttribute ReadAttribute(ByteString attribute)
    {
        string name = "";
        float? f = null;
        long? i = null;
        string? s = null;
        var ints = new List<long>();
        foreach (var (field, value) in Fields(attribute))
        {
            switch (field)
            {
                case 1: name = value.Bytes!.ToStringUtf8(); break;
                case 2: f = BitConverter.Int32BitsToSingle((int)value.Number); break;
                case 3: i = (long)value.Number; break;
                case 4: s = value.Bytes!.ToStringUtf8(); break;
                case 8: ints.AddRange(Int64s(value)); break;
            }
        }
        return new OnnxAttribute(name, f, i, s, ints.ToArray());
    }

    /// <summary>A float initializer, or null for other data types (which a weight import does not need).</summary>
    static OnnxTensor? ReadTensor(ByteString tensor)
    {
        var dims = new List<long>();
        var dataType = 0;
        var name = "";
        var floats = new List<float>();
        ByteString? raw = null;
        foreach (var (field, value) in Fields(tensor))
        {
            switch (field)
            {
                case 1: dims.AddRange(Int64s(value)); break;
                case 2: dataType = (int)value.Number; break;
                case 4:
                    if (value.Bytes is { } packed) floats.AddRange(MemoryMarshal.Cast<byte, float>(packed.Span).ToArray());
                    else floats.Add(BitConverter.Int32BitsToSingle((int)value.Number));
                    break;
                case 8: name = value.Bytes!.ToStringUtf8(); break;
                case 9: raw = value.Bytes; break;
            }
        }
        if (dataType != FloatDataType) return null;
        var values = raw is not null && raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(raw.Span).ToArray() : floats.ToArray();
        var expected = dims.Aggregate(1L, (a, b) => a * b);
        if (values.Length != expected)
            throw new InvalidDataException($"initializer {name} has {values.Length} values for shape [{string.Join(", ", dims)}]");
        return new OnnxTensor(name, dims.ToArray(), values);
    }

    static string NameOf(ByteString valueInfo) =>
        Fields(valueInfo).Where(f => f.Field == 1).Select(f => f.Value.Bytes!.ToStringUtf8()).FirstOrDefault() ?? "";

    static IEnumerable<ByteString> Messages(byte[] bytes, int field) =>
        Fields(UnsafeByteOperations.UnsafeWrap(bytes)).Where(f => f.Field == field).Select(f => f.Value.Bytes!); // wraps, no copy: nothing else holds the array

    static IEnumerable<long> Int64s((ulong Number, ByteString? Bytes) value)
    {
        if (value.Bytes is null) return [(long)value.Number];
        var input = value.Bytes.CreateCodedInput();
        var list = new List<long>();
        while (!input.IsAtEnd) list.Add(input.ReadInt64());
        return list;
    }

    /// <summary>The fields of one message: varint and fixed-width values as numbers, length-delimited ones as bytes.</summary>
    static IEnumerable<(int Field, (ulong Number, ByteString? Bytes) Value)> Fields(ByteString message)
    {
        var input = message.CreateCodedInput();
        var fields = new List<(int, (ulong, ByteString?))>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = WireFormat.GetTagFieldNumber(tag);
            (ulong, ByteString?) value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => (input.ReadUInt64(), null),
                WireFormat.WireType.Fixed32 => (input.ReadFixed32(), null),
                WireFormat.WireType.Fixed64 => (input.ReadFixed64(), null),
                WireFormat.WireType.LengthDelimited => (0, input.ReadBytes()),
                var other => throw new InvalidDataException($"unsupported protobuf wire type {other} in field {field}"),
            };
            fields.Add((field, value));
        }
        return fields;
    }
}
