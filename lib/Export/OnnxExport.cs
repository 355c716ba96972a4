using CnnSentinel.IO;
using CnnSentinel.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Writes the library's networks as ONNX models (for ONNX Runtime, in .NET or in a browser with
/// onnxruntime-web): input <c>input</c> (N × bands × size × size, float), output <c>probabilities</c>
/// (N × classes, softmax of the logits), in eval mode (batch norm with its running statistics, no dropout).
/// </summary>
/// <remarks>
/// The graph is written from the modules' structure, not traced: each network's forward pass is mirrored
/// here (<see cref="SmallCnn"/>, <see cref="SceneCnn"/>, <see cref="ResNet"/> with <see cref="BasicBlock"/> or
/// <see cref="Bottleneck"/>, <see cref="Vgg16"/>, <see cref="DenseNet201"/>, <see cref="BandAdapter"/>, and the
/// <see cref="InputNormalization"/> of any of them). A module it does not know fails with
/// <see cref="NotSupportedException"/> naming it, rather than being exported wrongly.
/// </remarks>
public static class OnnxExport
{
    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph's output.</summary>
    public const string OutputName = "probabilities";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (atomically) with <paramref name="metadata"/>.</summary>
    /// <exception cref="NotSupportedException">The model contains a module this exporter does not translate.</exception>
    public static void Save(ImageClassifier model, string path, ExportMetadata metadata) =>
        AtomicFile.WriteAllBytes(path, ToBytes(model, metadata));

    /// <summary>The ONNX model of <paramref name="model"/> as bytes.</summary>
    /// <exception cref="NotSupportedException">The model contains a module this exporter does not translate.</exception>
    public static byte[] ToBytes(ImageClassifier model, ExportMetadata metadata)
    {
        if (model.Classes < 1) throw new NotSupportedException($"{model.GetName()} is a feature extractor (no classes); only classifiers are exported.");
        if (metadata.ClassNames.Count != model.Classes)
            throw new ArgumentException($"{model.GetName()} has {model.Classes} classes; the metadata names {metadata.ClassNames.Count}.", nameof(metadata));
        if (metadata.BandNames.Count != model.Bands || metadata.Preprocessing.Bands != model.Bands)
            throw new ArgumentException($"{model.GetName()} reads {model.Bands} bands; the metadata describes {metadata.BandNames.Count} band names and {metadata.Preprocessing.Bands} means.", nameof(metadata));
        var graph = new OnnxGraphWriter();
        var input = graph.UniqueName(InputName);
        using (no_grad())
        {
            var logits = Classifier(graph, model, input);
            // No module is named like the output, so the node gets exactly that name.
            var probabilities = graph.Node("Softmax", OutputName, [logits], OnnxGraphWriter.Attribute("axis", 1L));
            return graph.ToModel(model.GetName(), input, [null, model.Bands, metadata.InputSize, metadata.InputSize],
                probabilities, [null, model.Classes], metadata.ToProperties());
        }
    }

    static string Classifier(OnnxGraphWriter graph, ImageClassifier model, string x)
    {
        var children = Children(model);
        if (model.InputNormalization is { } normalization)
        {
            x = graph.Node("Sub", "input_normalization.sub", [x, graph.Weight("input_normalization.mean", [.. normalization.Mean], 1, normalization.Mean.Count, 1, 1)]);
            x = graph.Node("Div", "input_normalization.div", [x, graph.Weight("input_normalization.std", [.. normalization.Std], 1, normalization.Std.Count, 1, 1)]);
        }
        switch (model)
        {
            case PooledCnn:
                x = Module(graph, children["features"], "features", x);
                x = graph.Node("GlobalAveragePool", "mean", [x]);
                return Module(graph, children["classifier"], "classifier", Flatten(graph, x));
            case Vgg16 or DenseNet201:
                x = Module(graph, children["features"], "features", x);
                if (model is DenseNet201) x = graph.Node("Relu", "features.relu", [x]);
                x = model is Vgg16 ? Module(graph, children["avgpool"], "avgpool", x) : graph.Node("GlobalAveragePool", "avgpool", [x]);
                return Module(graph, children["classifier"], "classifier", Flatten(graph, x));
            case ResNet:
                foreach (var name in new[] { "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool" })
                    x = Module(graph, children[name], name, x);
                return Module(graph, children["fc"], "fc", Flatten(graph, x));
            case BandAdapter adapter:
                return Classifier(graph, adapter.Backbone, Module(graph, children["adapter"], "adapter", x));
            default:
                throw new NotSupportedException($"ONNX export does not know the network {model.GetType().Name} ({model.GetName()}).");
        }
    }

    static string Flatten(OnnxGraphWriter graph, string x) => graph.Node("Flatten", "flatten", [x], OnnxGraphWriter.Attribute("axis", 1L));

    static Dictionary<string, nn.Module> Children(nn.Module module) =>
        module.named_children().ToDictionary(child => child.name, child => child.module);

    /// <summary>Writes the nodes of one module applied to <paramref name="x"/>; returns the output's name.</summary>
    static string Module(OnnxGraphWriter graph, nn.Module module, string name, string x)
    {
        switch (module)
        {
            case Sequential or DenseLayer:
                foreach (var (childName, child) in module.named_children()) x = Module(graph, child, $"{name}.{childName}", x);
                return x;
            case Conv2d conv:
                return Convolution(graph, conv, name, x);
            case BatchNorm norm:
                return graph.Node("BatchNormalization", name, [x,
                    graph.Weight($"{name}.weight", norm.weight!), graph.Weight($"{name}.bias", norm.bias!),
                    graph.Weight($"{name}.running_mean", norm.running_mean!), graph.Weight($"{name}.running_var", norm.running_var!)],
                    OnnxGraphWriter.Attribute("epsilon", (float)norm.eps));
            case ReLU:
                return graph.Node("Relu", name, [x]);
            case Dropout:
                return x; // identity in eval mode
            case MaxPool2d pool:
                return Pool(graph, "MaxPool", name, x, pool.kernel_size, pool.stride, pool.padding, pool.dilation, pool.ceil_mode);
            case AvgPool2d pool:
                return Pool(graph, "AveragePool", name, x, pool.kernel_size, pool.stride, pool.padding, null, pool.ceil_mode,
                    OnnxGraphWriter.Attribute("count_include_pad", pool.count_include_pad ? 1L : 0L));
            case AdaptiveAvgPool2d adaptive when adaptive.output_size.All(size => size == 1):
                return graph.Node("GlobalAveragePool", name, [x]);
            case Linear linear:
                return graph.Node("Gemm", name,
                    linear.bias is null ? [x, graph.Weight($"{name}.weight", linear.weight!)] : [x, graph.Weight($"{name}.weight", linear.weight!), graph.Weight($"{name}.bias", linear.bias)],
                    OnnxGraphWriter.Attribute("transB", 1L));
            case BasicBlock or Bottleneck:
                return ResidualBlock(graph, module, name, x);
            case DenseBlock:
                var maps = new List<string> { x };
                foreach (var (childName, child) in module.named_children())
                    maps.Add(Module(graph, child, $"{name}.{childName}", maps.Count == 1 ? x : graph.Node("Concat", $"{name}.{childName}.input", maps, OnnxGraphWriter.Attribute("axis", 1L))));
                return graph.Node("Concat", name, maps, OnnxGraphWriter.Attribute("axis", 1L));
            default:
                throw new NotSupportedException($"ONNX export does not translate the module '{name}' ({module.GetType().Name}" +
                    (module is AdaptiveAvgPool2d ? " with an output size other than 1" : "") + ").");
        }
    }

    static string ResidualBlock(OnnxGraphWriter graph, nn.Module block, string name, string x)
    {
        var children = Children(block);
        string[] chain = block is Bottleneck ? ["conv1", "bn1", "relu", "conv2", "bn2", "relu", "conv3", "bn3"] : ["conv1", "bn1", "relu", "conv2", "bn2"];
        var residual = x;
        foreach (var child in chain) residual = Module(graph, children[child], $"{name}.{child}", residual);
        var shortcut = children.TryGetValue("downsample", out var downsample) ? Module(graph, downsample, $"{name}.downsample", x) : x;
        return graph.Node("Relu", $"{name}.relu", [graph.Node("Add", $"{name}.add", [residual, shortcut])]);
    }

    static string Convolution(OnnxGraphWriter graph, Conv2d conv, string name, string x)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException($"ONNX export: '{name}' pads with {conv.padding_mode}; only zero padding is translated.");
        var padding = conv.padding ?? throw new NotSupportedException($"ONNX export: '{name}' uses symbolic padding ({conv.padding_type}); give it explicit padding.");
        var weight = graph.Weight($"{name}.weight", conv.weight!);
        string[] inputs = conv.bias is null ? [x, weight] : [x, weight, graph.Weight($"{name}.bias", conv.bias)];
        return graph.Node("Conv", name, inputs,
            OnnxGraphWriter.Attribute("kernel_shape", conv.kernel_size),
            OnnxGraphWriter.Attribute("strides", conv.stride),
            OnnxGraphWriter.Attribute("dilations", conv.dilation),
            OnnxGraphWriter.Attribute("group", conv.groups),
            OnnxGraphWriter.Attribute("pads", [.. padding, .. padding]));
    }

    static string Pool(OnnxGraphWriter graph, string opType, string name, string x, long[] kernel, long[]? stride, long[]? padding, long[]? dilation, bool ceilMode, params ProtoMessage[] extra)
    {
        padding ??= [0, 0];
        var attributes = new List<ProtoMessage>
        {
            OnnxGraphWriter.Attribute("kernel_shape", kernel),
            OnnxGraphWriter.Attribute("strides", stride ?? kernel),
            OnnxGraphWriter.Attribute("pads", [.. padding, .. padding]),
            OnnxGraphWriter.Attribute("ceil_mode", ceilMode ? 1L : 0L),
        };
        if (dilation is not null) attributes.Add(OnnxGraphWriter.Attribute("dilations", dilation));
        attributes.AddRange(extra);
        return graph.Node(opType, name, [x], [.. attributes]);
    }
}
