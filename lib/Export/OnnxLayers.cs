using CnnSentinel.Models;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// The ONNX nodes of each layer type the library builds networks from, one translation per module type: a network
/// made of these layers (its <see cref="NetworkLayout"/>) exports with no code of its own.
/// </summary>
/// <remarks>
/// A module is translated by the entry of its own type or, failing that, of its nearest base type (so the library's
/// <see cref="ScalarSafeBatchNorm2d"/> is a <see cref="BatchNorm"/>). A module with no entry, or with settings an
/// entry cannot translate, fails with <see cref="NotSupportedException"/> naming it and its type.
/// </remarks>
internal static class OnnxLayers
{
    delegate string Translation(OnnxGraphWriter graph, nn.Module module, string name, string x);

    static readonly Dictionary<Type, Translation> ByType = new()
    {
        [typeof(Sequential)] = (graph, module, name, x) => Chain(graph, Children(module), name, x),
        [typeof(DenseLayer)] = (graph, module, name, x) => Chain(graph, ((DenseLayer)module).Steps, name, x),
        [typeof(DenseBlock)] = (graph, module, name, x) => DenseConcatenation(graph, (DenseBlock)module, name, x),
        [typeof(ResidualBlock)] = (graph, module, name, x) => Residual(graph, (ResidualBlock)module, name, x),
        [typeof(InputNormalization)] = (graph, module, name, x) => Standardisation(graph, (InputNormalization)module, name, x),
        [typeof(Conv2d)] = (graph, module, name, x) => Convolution(graph, (Conv2d)module, name, x),
        [typeof(BatchNorm)] = (graph, module, name, x) => BatchNormalization(graph, (BatchNorm)module, name, x),
        [typeof(ReLU)] = (graph, _, name, x) => graph.Node("Relu", name, [x]),
        [typeof(Dropout)] = (_, _, _, x) => x, // identity in eval mode
        [typeof(MaxPool2d)] = (graph, module, name, x) => MaxPool(graph, (MaxPool2d)module, name, x),
        [typeof(AvgPool2d)] = (graph, module, name, x) => AveragePool(graph, (AvgPool2d)module, name, x),
        [typeof(AdaptiveAvgPool2d)] = (graph, module, name, x) => ((AdaptiveAvgPool2d)module).output_size.All(size => size == 1)
            ? graph.Node("GlobalAveragePool", name, [x])
            : throw Untranslatable(module, name, "an output size other than 1"),
        [typeof(GlobalAveragePooling)] = (graph, _, name, x) => Flatten(graph, $"{name}.flatten", graph.Node("GlobalAveragePool", name, [x])),
        [typeof(Flatten)] = (graph, module, name, x) => module is Flatten { start_dim: 1, end_dim: -1 }
            ? Flatten(graph, name, x)
            : throw Untranslatable(module, name, "it flattens other dimensions than 1 to the last"),
        [typeof(Linear)] = (graph, module, name, x) => Gemm(graph, (Linear)module, name, x),
    };

    /// <summary>Writes the nodes of <paramref name="module"/> applied to <paramref name="x"/>; returns the output's name.</summary>
    /// <exception cref="NotSupportedException">No translation knows the module (or its settings).</exception>
    public static string Translate(OnnxGraphWriter graph, nn.Module module, string name, string x)
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
            if (ByType.TryGetValue(type, out var translation)) return translation(graph, module, name, x);
        throw Untranslatable(module, name);
    }

    /// <summary>
    /// Writes <paramref name="steps"/> one after the other, named under <paramref name="prefix"/> (none when null); a
    /// batch norm right after a convolution is folded into the convolution's weights and bias.
    /// </summary>
    /// <remarks>
    /// Folding is exact algebra (in eval mode a batch norm is a per-channel scale and shift), so the graph computes what
    /// the network does, to float rounding. ONNX Runtime folds such pairs itself, but only where the convolution's weight
    /// is a constant: an int8 weight behind a DequantizeLinear is not, and the batch norm would stay a separate pass
    /// over every feature map. Folded before quantising, the per-channel scales absorb the batch norm's scales.
    /// </remarks>
    public static string Chain(OnnxGraphWriter graph, IEnumerable<NamedModule> steps, string? prefix, string x)
    {
        var list = steps.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var name = prefix is null ? list[i].Name : $"{prefix}.{list[i].Name}";
            if (list[i].Module is Conv2d conv && i + 1 < list.Count && list[i + 1].Module is BatchNorm norm)
            {
                x = Convolution(graph, conv, name, x, norm);
                i++;
            }
            else
                x = Translate(graph, list[i].Module, name, x);
        }
        return x;
    }

    static NotSupportedException Untranslatable(nn.Module module, string name, string? settings = null) =>
        new($"ONNX export does not translate the module '{name}' ({module.GetType().Name}{(settings is null ? "" : ": " + settings)}).");

    static IEnumerable<NamedModule> Children(nn.Module module) =>
        module.named_children().Select(child => new NamedModule(child.name, (nn.Module<Tensor, Tensor>)child.module));

    static string Flatten(OnnxGraphWriter graph, string name, string x) => graph.Node("Flatten", name, [x], OnnxGraphWriter.Attribute("axis", 1L));

    static string Standardisation(OnnxGraphWriter graph, InputNormalization normalization, string name, string x)
    {
        var bands = normalization.Mean.Count;
        x = graph.Node("Sub", $"{name}.sub", [x, graph.Weight($"{name}.mean", [.. normalization.Mean], 1, bands, 1, 1)]);
        return graph.Node("Div", $"{name}.div", [x, graph.Weight($"{name}.std", [.. normalization.Std], 1, bands, 1, 1)]);
    }

    static string Residual(OnnxGraphWriter graph, ResidualBlock block, string name, string x)
    {
        var residual = Chain(graph, block.ResidualPath, name, x);
        var shortcut = block.Downsample is { } downsample ? Translate(graph, downsample.Module, $"{name}.{downsample.Name}", x) : x;
        return Translate(graph, block.Activation.Module, $"{name}.{block.Activation.Name}", graph.Node("Add", $"{name}.add", [residual, shortcut]));
    }

    static string DenseConcatenation(OnnxGraphWriter graph, DenseBlock block, string name, string x)
    {
        var maps = new List<string> { x };
        foreach (var layer in block.Layers)
        {
            var input = maps.Count == 1 ? x : graph.Node("Concat", $"{name}.{layer.Name}.input", maps, OnnxGraphWriter.Attribute("axis", 1L));
            maps.Add(Translate(graph, layer.Module, $"{name}.{layer.Name}", input));
        }
        return graph.Node("Concat", name, maps, OnnxGraphWriter.Attribute("axis", 1L));
    }

    /// <summary>A convolution, followed by <paramref name="norm"/> folded into it when given.</summary>
    static string Convolution(OnnxGraphWriter graph, Conv2d conv, string name, string x, BatchNorm? norm = null)
    {
        if (conv.padding_mode != PaddingModes.Zeros) throw Untranslatable(conv, name, $"it pads with {conv.padding_mode}; only zero padding is translated");
        var padding = conv.padding ?? throw Untranslatable(conv, name, $"symbolic padding ({conv.padding_type}); give it explicit padding");
        using var temporaries = NewDisposeScope(); // the folded weights; the graph keeps copies of what it is given
        var (weight, bias) = norm is null ? (conv.weight!, conv.bias) : Folded(conv, norm);
        var weightName = graph.LayerWeight($"{name}.weight", weight);
        string[] inputs = bias is null ? [x, weightName] : [x, weightName, graph.Weight($"{name}.bias", bias)];
        return graph.Node("Conv", name, inputs,
            OnnxGraphWriter.Attribute("kernel_shape", conv.kernel_size),
            OnnxGraphWriter.Attribute("strides", conv.stride),
            OnnxGraphWriter.Attribute("dilations", conv.dilation),
            OnnxGraphWriter.Attribute("group", conv.groups),
            OnnxGraphWriter.Attribute("pads", [.. padding, .. padding]));
    }

    static string BatchNormalization(OnnxGraphWriter graph, BatchNorm norm, string name, string x) =>
        graph.Node("BatchNormalization", name, [x,
            graph.Weight($"{name}.weight", norm.weight!), graph.Weight($"{name}.bias", norm.bias!),
            graph.Weight($"{name}.running_mean", norm.running_mean!), graph.Weight($"{name}.running_var", norm.running_var!)],
            OnnxGraphWriter.Attribute("epsilon", (float)norm.eps));

    /// <summary>
    /// The weights and bias of <paramref name="conv"/> with <paramref name="norm"/> after it folded in:
    /// y = γ (conv(x) + b − μ) / √(σ² + ε) + β, so the weights are scaled by γ / √(σ² + ε) per output channel.
    /// </summary>
    static (Tensor Weight, Tensor Bias) Folded(Conv2d conv, BatchNorm norm)
    {
        var scale = norm.weight! / (norm.running_var! + norm.eps).sqrt();
        return (conv.weight! * scale.reshape(-1, 1, 1, 1), ((conv.bias ?? torch.zeros_like(norm.running_mean!)) - norm.running_mean!) * scale + norm.bias!);
    }

    static string Gemm(OnnxGraphWriter graph, Linear linear, string name, string x)
    {
        var weight = graph.LayerWeight($"{name}.weight", linear.weight!);
        return graph.Node("Gemm", name, linear.bias is null ? [x, weight] : [x, weight, graph.Weight($"{name}.bias", linear.bias)],
            OnnxGraphWriter.Attribute("transB", 1L));
    }

    static string MaxPool(OnnxGraphWriter graph, MaxPool2d pool, string name, string x) =>
        Pool(graph, "MaxPool", name, x, pool.kernel_size, pool.stride, pool.padding, pool.dilation, pool.ceil_mode);

    static string AveragePool(OnnxGraphWriter graph, AvgPool2d pool, string name, string x) =>
        Pool(graph, "AveragePool", name, x, pool.kernel_size, pool.stride, pool.padding, null, pool.ceil_mode,
            OnnxGraphWriter.Attribute("count_include_pad", pool.count_include_pad ? 1L : 0L));

    static string Pool(OnnxGraphWriter graph, string opType, string name, string x, long[] kernel, long[]? stride, long[]? padding, long[]? dilation, bool ceilMode, params AttributeProto[] extra)
    {
        padding ??= [0, 0];
        var attributes = new List<AttributeProto>
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
