using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Models.Pretrained;

/// <summary>
/// Copies the weights of an ONNX basic-block ResNet (Conv + BatchNormalization nodes, as CNTK exports them)
/// into a <see cref="ResNet"/> with torchvision's names.
/// </summary>
/// <remarks>
/// Convolutions are matched block by block: a block's convolutions are the next ones in the file, paired
/// with the model's by weight shape in file order (the file lists a block's 1×1 shortcut before its
/// conv1). Each convolution's batch norm is the node that reads its output. Every shape is checked, so a
/// network of another layout fails with a message rather than loading garbage.
/// </remarks>
static class OnnxResNetImport
{
    const double TorchBatchNormEpsilon = 1e-5;

    /// <summary>Fills <paramref name="model"/> from <paramref name="graph"/>, reordering the stem's input channels from BGR to RGB.</summary>
    /// <exception cref="InvalidDataException">The graph does not fit the model; the message names <paramref name="source"/> and the problem.</exception>
    public static void Import(GraphProto graph, ResNet model, string source)
    {
        var initializers = OnnxReader.FloatInitializers(graph);
        var fileConvolutions = graph.Node.Where(n => n.OpType == "Conv").ToList();
        var normOf = graph.Node.Where(n => n.OpType == "BatchNormalization").ToDictionary(n => n.Input[0]);
        var modelConvolutions = model.named_modules().Where(m => m.module is Conv2d).Select(m => (m.name, conv: (Conv2d)m.module)).ToList();
        if (fileConvolutions.Count != modelConvolutions.Count)
            throw new InvalidDataException($"{source} has {fileConvolutions.Count} convolutions, {model.GetName()} {modelConvolutions.Count}: it is not the network this import expects.");

        var stateDict = new Dictionary<string, Tensor>();
        var next = 0;
        foreach (var block in modelConvolutions.GroupBy(c => BlockOf(c.name)))
        {
            var candidates = fileConvolutions.Skip(next).Take(block.Count()).ToList();
            next += candidates.Count;
            foreach (var (name, conv) in block)
            {
                var node = candidates.FirstOrDefault(n => Weight(initializers, n, source).Dims.SequenceEqual(conv.weight!.shape))
                    ?? throw new InvalidDataException($"{source}: no convolution of shape [{string.Join("×", conv.weight!.shape)}] where {model.GetName()} has {name}.");
                candidates.Remove(node);
                var tensor = TorchTensor(Weight(initializers, node, source), source);
                if (name == model.FirstConvolutionName) // BGR → RGB
                    using (var bgr = tensor) tensor = bgr.flip(1);
                stateDict[$"{name}.weight"] = tensor;
                AddBatchNorm(initializers, normOf, node, NormNameFor(name), stateDict, source);
            }
        }
        var comparison = StateDictFile.LoadInto(model, stateDict, strict: false, source);
        if (!comparison.IsExact) throw new InvalidDataException($"{source} does not fit {model.GetName()}: {comparison}");
        foreach (var tensor in stateDict.Values) tensor.Dispose();
    }

    static void AddBatchNorm(Dictionary<string, TensorProto> initializers, Dictionary<string, NodeProto> normOf, NodeProto conv, string name, Dictionary<string, Tensor> stateDict, string source)
    {
        if (!normOf.TryGetValue(conv.Output[0], out var norm))
            throw new InvalidDataException($"{source}: convolution {conv.Output[0]} is not followed by a BatchNormalization.");
        var epsilon = norm.Attribute.FirstOrDefault(a => a.Name == "epsilon" && a.Type == AttributeProto.Types.AttributeType.Float)?.F ?? 1e-5f;
        if (Math.Abs(epsilon - TorchBatchNormEpsilon) > 1e-9)
            throw new InvalidDataException($"{source}: batch norm {norm.Output[0]} has epsilon {epsilon}, the model uses {TorchBatchNormEpsilon}.");
        string[] parts = ["weight", "bias", "running_mean", "running_var"];
        for (var i = 0; i < parts.Length; i++)
            stateDict[$"{name}.{parts[i]}"] = TorchTensor(Initializer(initializers, norm.Input[i + 1], source), source);
    }

    static Tensor TorchTensor(TensorProto tensor, string source) => torch.tensor(OnnxReader.Values(tensor, source), [.. tensor.Dims]);

    /// <summary><c>layer2.0.conv1</c> → <c>layer2.0</c>; the stem's <c>conv1</c> → "".</summary>
    static string BlockOf(string convolution) =>
        convolution.StartsWith("layer", StringComparison.Ordinal) ? string.Join('.', convolution.Split('.').Take(2)) : "";

    /// <summary>torchvision's name of a convolution's batch norm: <c>conv1</c> → <c>bn1</c>, <c>downsample.0</c> → <c>downsample.1</c>.</summary>
    static string NormNameFor(string convolution)
    {
        var dot = convolution.LastIndexOf('.');
        var (prefix, last) = dot < 0 ? ("", convolution) : (convolution[..(dot + 1)], convolution[(dot + 1)..]);
        return prefix + (last == "0" ? "1" : "bn" + last["conv".Length..]);
    }

    static TensorProto Weight(Dictionary<string, TensorProto> initializers, NodeProto conv, string source) => Initializer(initializers, conv.Input[1], source);

    static TensorProto Initializer(Dictionary<string, TensorProto> initializers, string name, string source) =>
        initializers.TryGetValue(name, out var tensor)
            ? tensor
            : throw new InvalidDataException($"{source}: {name} is not a float initializer.");
}
