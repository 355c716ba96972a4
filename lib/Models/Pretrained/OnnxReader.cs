using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace CnnSentinel.Models.Pretrained;

/// <summary>
/// Reads ONNX files through onnx.proto's generated types (the OnnxSharp package, as <see cref="Export.OnnxGraphWriter"/>
/// writes them), with what a weight import needs on top: float initializers by name and their values.
/// </summary>
internal static class OnnxReader
{
    /// <summary>Reads the graph of the ONNX model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model; the message names it.</exception>
    public static GraphProto Read(string path)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph ?? throw new InvalidDataException("it holds no graph");
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            throw new InvalidDataException($"{path} is not a readable ONNX model: {e.Message}", e);
        }
    }

    /// <summary>The graph's float initializers by name (other data types are not weights an import needs).</summary>
    public static Dictionary<string, TensorProto> FloatInitializers(GraphProto graph) =>
        graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float).ToDictionary(t => t.Name);

    /// <summary>A float tensor's values in row-major order, from its raw bytes or its float list.</summary>
    /// <exception cref="InvalidDataException">The number of values does not fit the shape; the message names <paramref name="source"/>.</exception>
    public static float[] Values(TensorProto tensor, string source)
    {
        var values = tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : [.. tensor.FloatData];
        var expected = tensor.Dims.Aggregate(1L, (a, b) => a * b);
        if (values.Length != expected)
            throw new InvalidDataException($"{source}: initializer {tensor.Name} has {values.Length} values for shape [{string.Join(", ", tensor.Dims)}]");
        return values;
    }
}
