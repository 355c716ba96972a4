using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Onnx;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Makes an exported graph with int8 layer weights compute in 8 bits: the values its convolutions and residual additions
/// read are rounded to uint8 (static quantisation in ONNX's QuantizeLinear/DequantizeLinear form), at scales calibrated
/// on sample windows.
/// </summary>
/// <remarks>
/// <para>
/// Which values: the output of every ReLU and max pooling (what the next convolution, addition or pooling reads) and of
/// every convolution whose result feeds residual additions only, except on the finest grids (below). Each gets a
/// QuantizeLinear → DequantizeLinear pair with one scale and zero point for the whole tensor; the graph still says
/// exactly what it computes, and any ONNX runtime runs it. ONNX Runtime (in .NET and in onnxruntime-web's WebAssembly)
/// recognises DequantizeLinear → Conv (int8 weights behind their own DequantizeLinear) → QuantizeLinear, after dropping
/// a ReLU that a uint8 zero point of 0 makes redundant, and runs it as one integer convolution (QLinearConv); additions
/// between such values likewise (QLinearAdd). The map page so maps the bundled scene in about half the time the same
/// int8 weights computed in float32 take (bench web-model, the README's table).
/// </para>
/// <para>
/// Left in float32: the input, its standardisation and the first convolution (it reads the image: its weights are
/// float16, see <see cref="OnnxGraphWriter.LayerWeight"/>), global pooling and the classifier head, which are a small
/// part of the work; and every value on a grid as fine as the finest any later convolution reads (for ResNet18 the
/// stem's output and the first stage: its maps at 1/2 and 1/4 of the window), with the convolutions that read them.
/// That is where one scale per tensor costs most: the stem's 64 channels range from 0.1 to 22 (the shipped model, on
/// the bundled patches), so one scale leaves the narrow ones a few steps, and rounding the stem's output alone moved
/// the shipped model's probabilities more than rounding any other value alone. In the page (bench web-model, the
/// shipped model), with every value above in uint8 the map labelled 99.22 % of the mosaic's pixels as the float32
/// export's does (int8 weights alone: 99.65 %); with those grids left in float32, 99.53 %, for about a quarter more
/// time a window.
/// </para>
/// <para>
/// Scales: the float graph runs in ONNX Runtime on the calibration windows with those values as extra outputs; for
/// each value, of the ranges [f·min, f·max] (0 always inside, f from 1 down to <see cref="SmallestClip"/>), the one
/// whose uint8 rounding of the observed values has the least squared error. Clipping a few outliers buys a finer step
/// for all the rest. Uint8 rather than int8 because ReLU outputs are never negative, and uint8 inputs with int8 weights
/// is the pairing ONNX Runtime's integer convolutions are built for.
/// </para>
/// </remarks>
internal static class ActivationQuantisation
{
    /// <summary>The element type of the rounded values, as the model's metadata names it.</summary>
    public const string ElementType = "uint8";

    /// <summary>At most this many values of each tensor take part in choosing its scale (evenly spaced).</summary>
    const int SampledValues = 1 << 19;

    /// <summary>The narrowest clipping range tried, as a fraction of the observed one (tried in steps of a hundredth).</summary>
    const float SmallestClip = 0.1f;

    const int UInt8Type = (int)TensorProto.Types.DataType.Uint8;
    const int FloatType = (int)TensorProto.Types.DataType.Float;

    /// <summary>
    /// <paramref name="model"/> (an exported graph, as bytes) with the values named above quantised, each at the scale
    /// chosen on <paramref name="windows"/> (N × bands × size × size, the graph's input <paramref name="inputName"/>).
    /// </summary>
    public static byte[] Apply(byte[] model, Tensor windows, string inputName)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var readers = graph.Node.SelectMany(node => node.Input.Select(input => (input, node))).ToLookup(p => p.input, p => p.node);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        var quantised = graph.Node
            .Where(node => node.OpType is "Relu" or "MaxPool" || node.OpType == "Conv" && readers[node.Output[0]].All(r => r.OpType == "Add"))
            .Select(node => node.Output[0])
            .Where(value => !outputs.Contains(value) && readers[value].Any())
            .ToList();
        if (quantised.Count == 0) return model;

        var observed = Calibrate(proto, quantised, windows, inputName);
        // The finest grid a convolution reads among these values (not the first convolution's: it reads the input).
        var finest = observed.Where(o => readers[o.Key].Any(r => r.OpType == "Conv")).Select(o => o.Value.GridSize).DefaultIfEmpty(0).Max();
        var ranges = observed.Where(o => o.Value.GridSize < finest).ToDictionary(o => o.Key, o => o.Value.BestRange());
        var names = graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(i => i.Name)).Concat(graph.Input.Select(i => i.Name)).ToHashSet();
        string Unique(string wanted) => OnnxGraphWriter.TakeFreeName(names, wanted);
        var nodes = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            nodes.Add(node);
            var value = node.Output[0];
            if (!ranges.TryGetValue(value, out var range)) continue;
            var (scale, zeroPoint) = range;
            var scaleName = Unique($"{value}.scale");
            var zeroPointName = Unique($"{value}.zero_point");
            var scaleTensor = new TensorProto { Name = scaleName, DataType = FloatType };
            scaleTensor.FloatData.Add(scale);
            var zeroPointTensor = new TensorProto { Name = zeroPointName, DataType = UInt8Type };
            zeroPointTensor.Int32Data.Add(zeroPoint);
            graph.Initializer.Add(scaleTensor);
            graph.Initializer.Add(zeroPointTensor);
            var rounded = Unique($"{value}.uint8");
            var restored = Unique($"{value}.dequantised");
            // The readers are rewired before the pair is added, so the pair's own input stays the original value.
            foreach (var reader in readers[value])
                for (var i = 0; i < reader.Input.Count; i++)
                    if (reader.Input[i] == value) reader.Input[i] = restored;
            nodes.Add(Node("QuantizeLinear", rounded, [value, scaleName, zeroPointName]));
            nodes.Add(Node("DequantizeLinear", restored, [rounded, scaleName, zeroPointName]));
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        return proto.ToByteArray();
    }

    static NodeProto Node(string opType, string output, string[] inputs)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    /// <summary>Runs the float graph on the windows and returns what each value held.</summary>
    static Dictionary<string, Observed> Calibrate(ModelProto model, IReadOnlyList<string> values, Tensor windows, string inputName)
    {
        const int Batch = 50;
        var probe = model.Clone();
        foreach (var value in values) probe.Graph.Output.Add(new ValueInfoProto { Name = value });
        using var cpu = windows.detach().to(ScalarType.Float32, CPU).contiguous();
        var count = cpu.shape[0];
        var batches = (int)((count + Batch - 1) / Batch);
        var observed = values.ToDictionary(v => v, _ => new Observed());
        using var session = new InferenceSession(probe.ToByteArray());
        for (long first = 0; first < count; first += Batch)
        {
            using var chunk = cpu.narrow(0, first, Math.Min(Batch, count - first)).contiguous();
            var feed = new DenseTensor(chunk.data<float>().ToArray(), [.. chunk.shape.Select(d => (int)d)]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, feed)], values);
            foreach (var result in results)
            {
                var tensor = (DenseTensor)result.AsTensor<float>();
                observed[result.Name].Add(tensor.Buffer.Span, batches, tensor.Dimensions);
            }
        }
        return observed;
    }

    /// <summary>One value's grid, observed range and an evenly spaced sample of what it held.</summary>
    sealed class Observed
    {
        float min, max;
        readonly List<float> sample = [];

        /// <summary>Its positions: height × width of a feature map, 1 for a vector.</summary>
        public int GridSize { get; private set; }

        public void Add(ReadOnlySpan<float> values, int batches, ReadOnlySpan<int> shape)
        {
            GridSize = shape.Length == 4 ? shape[2] * shape[3] : 1;
            // Long: a large calibration set's values would overflow an int.
            var step = (int)Math.Max(1, (long)values.Length * batches / SampledValues);
            for (var i = 0; i < values.Length; i++)
            {
                var v = values[i];
                if (v < min) min = v;
                if (v > max) max = v;
                if (i % step == 0) sample.Add(v);
            }
        }

        /// <summary>The scale and zero point, of those tried, whose rounding of the sample has the least squared error.</summary>
        public (float Scale, byte ZeroPoint) BestRange()
        {
            if (max - min <= 0) return (1f, 0);
            var best = (Error: double.MaxValue, Scale: 1f, ZeroPoint: (byte)0);
            for (var step = 0; step <= (int)Math.Round((1 - SmallestClip) * 100); step++)
            {
                var clip = 1f - step / 100f;
                var scale = clip * (max - min) / byte.MaxValue;
                var zeroPoint = (byte)Math.Clamp(Math.Round(-clip * min / scale), 0, byte.MaxValue);
                var error = 0.0;
                foreach (var v in sample)
                {
                    var q = Math.Clamp(Math.Round(v / scale) + zeroPoint, 0, byte.MaxValue);
                    var difference = (q - zeroPoint) * scale - v;
                    error += difference * difference;
                }
                if (error < best.Error) best = (error, scale, zeroPoint);
            }
            return (best.Scale, best.ZeroPoint);
        }
    }
}
