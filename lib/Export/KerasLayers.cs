using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using CnnSentinel.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Appends the Keras layers of a TF.js LayersModel, and their weights in the order Keras lists them, for torch
/// modules: one translation per module type, so a sequential network made of these layers exports with no code
/// of its own (<see cref="TfjsExport"/>).
/// </summary>
/// <remarks>
/// A module is translated by the entry of its own type or, failing that, of its nearest base type (so the
/// library's <see cref="ScalarSafeBatchNorm2d"/> is a <see cref="BatchNorm"/>). Kernels are moved to Keras'
/// layouts (convolution out × in × kh × kw → kh × kw × in × out, dense out × in → in × out). A module with no entry,
/// or with settings Keras has no layer for, fails with <see cref="NotSupportedException"/> naming the network, the module and its type.
/// </remarks>
/// <param name="network">The network's name, for error messages.</param>
internal sealed class KerasLayers(string network)
{
    delegate void Translation(KerasLayers keras, nn.Module module, string name);

    static readonly Dictionary<Type, Translation> ByType = new()
    {
        [typeof(Sequential)] = (keras, module, name) => keras.AddChildren(module, name),
        [typeof(Dropout)] = (_, _, _) => { }, // identity at inference
        [typeof(Conv2d)] = (keras, module, name) => keras.Convolution((Conv2d)module, name),
        [typeof(BatchNorm)] = (keras, module, name) => keras.BatchNormalization((BatchNorm)module, name),
        [typeof(ReLU)] = (keras, _, name) => keras.Layer("Activation", KerasName(name), new JsonObject { ["activation"] = "relu" }),
        [typeof(MaxPool2d)] = (keras, module, name) => keras.MaxPooling((MaxPool2d)module, name),
        [typeof(AdaptiveAvgPool2d)] = (keras, module, name) => keras.AdaptivePooling((AdaptiveAvgPool2d)module, name),
        [typeof(GlobalAveragePooling)] = (keras, _, name) => keras.GlobalPooling(name),
        [typeof(Flatten)] = (keras, module, name) => keras.Flatten((Flatten)module, name),
        [typeof(Linear)] = (keras, module, name) => keras.Dense((Linear)module, name),
    };

    readonly MemoryStream shard = new();

    /// <summary>True once the values are one vector per image (after global pooling): a flatten is then the identity.</summary>
    bool flat;

    /// <summary>The Keras layers so far.</summary>
    public JsonArray Layers { get; } = [];

    /// <summary>The weights manifest's entries, in the shard's order.</summary>
    public JsonArray Weights { get; } = [];

    /// <summary>The weight shard's bytes so far (float32, little-endian).</summary>
    public byte[] Shard => shard.ToArray();

    /// <summary>Appends the layers of <paramref name="module"/>, named after <paramref name="name"/> (dots become underscores).</summary>
    /// <exception cref="NotSupportedException">No translation knows the module (or its settings).</exception>
    public void Add(nn.Module module, string name)
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
        {
            if (!ByType.TryGetValue(type, out var translation)) continue;
            translation(this, module, name);
            return;
        }
        throw Untranslatable(module, name);
    }

    /// <summary>Appends a layer with no weights.</summary>
    public void Layer(string className, string name, JsonObject config)
    {
        config["name"] = name;
        config["trainable"] = true;
        config["dtype"] = "float32";
        Layers.Add(new JsonObject { ["class_name"] = className, ["config"] = config });
    }

    NotSupportedException Untranslatable(nn.Module module, string name, string? settings = null) =>
        new($"TF.js export of {network}: the module '{name}' ({module.GetType().Name}{(settings is null ? "" : ": " + settings)}) has no Keras layer here; export it to ONNX.");

    static string KerasName(string name) => name.Replace('.', '_');

    void AddChildren(nn.Module module, string name)
    {
        foreach (var (childName, child) in module.named_children()) Add(child, $"{name}.{childName}");
    }

    void Convolution(Conv2d conv, string name)
    {
        var kerasName = KerasName(name);
        var kernel = conv.kernel_size[0];
        var padding = conv.padding?[0] ?? -1;
        var same = padding == (kernel - 1) / 2 && kernel % 2 == 1 && conv.stride.All(s => s == 1);
        if (conv.kernel_size.Distinct().Count() != 1 || conv.groups != 1 || conv.dilation.Any(d => d != 1) || padding != 0 && !same || conv.padding_mode != PaddingModes.Zeros)
            throw Untranslatable(conv, name, "padding, dilation or groups that Keras' Conv2D lacks");
        Layer("Conv2D", kerasName, new JsonObject
        {
            ["filters"] = conv.weight!.shape[0], ["kernel_size"] = new JsonArray(kernel, kernel),
            ["strides"] = new JsonArray(conv.stride[0], conv.stride[1]), ["padding"] = padding == 0 ? "valid" : "same",
            ["data_format"] = "channels_last", ["dilation_rate"] = new JsonArray(1, 1), ["activation"] = "linear", ["use_bias"] = conv.bias is not null,
        });
        using (var kernelHwio = conv.weight.permute(2, 3, 1, 0)) Weight($"{kerasName}/kernel", kernelHwio);
        if (conv.bias is not null) Weight($"{kerasName}/bias", conv.bias);
    }

    void BatchNormalization(BatchNorm norm, string name)
    {
        var kerasName = KerasName(name);
        Layer("BatchNormalization", kerasName, new JsonObject
        {
            ["axis"] = -1, ["epsilon"] = norm.eps, ["momentum"] = 0.99, ["center"] = true, ["scale"] = true,
        });
        Weight($"{kerasName}/gamma", norm.weight!);
        Weight($"{kerasName}/beta", norm.bias!);
        Weight($"{kerasName}/moving_mean", norm.running_mean!);
        Weight($"{kerasName}/moving_variance", norm.running_var!);
    }

    void MaxPooling(MaxPool2d pool, string name)
    {
        if ((pool.padding ?? [0, 0]).Any(p => p != 0) || pool.ceil_mode)
            throw Untranslatable(pool, name, "padding or ceil mode that Keras' MaxPooling2D lacks");
        var stride = pool.stride ?? pool.kernel_size;
        Layer("MaxPooling2D", KerasName(name), new JsonObject
        {
            ["pool_size"] = new JsonArray(pool.kernel_size[0], pool.kernel_size[1]), ["strides"] = new JsonArray(stride[0], stride[1]),
            ["padding"] = "valid", ["data_format"] = "channels_last",
        });
    }

    void AdaptivePooling(AdaptiveAvgPool2d pool, string name)
    {
        if (pool.output_size.Any(size => size != 1)) throw Untranslatable(pool, name, "an output size other than 1");
        GlobalPooling(name);
    }

    void GlobalPooling(string name)
    {
        Layer("GlobalAveragePooling2D", KerasName(name), new JsonObject { ["data_format"] = "channels_last" });
        flat = true;
    }

    /// <summary>After global pooling a flatten changes nothing; before it, Keras would flatten channels last, in another order than torch.</summary>
    void Flatten(Flatten flatten, string name)
    {
        if (!flat || flatten is not { start_dim: 1, end_dim: -1 }) throw Untranslatable(flatten, name, "a flatten of a feature map");
    }

    void Dense(Linear linear, string name)
    {
        var kerasName = KerasName(name);
        Layer("Dense", kerasName, new JsonObject { ["units"] = linear.weight!.shape[0], ["activation"] = "linear", ["use_bias"] = linear.bias is not null });
        using (var kernelInOut = linear.weight.t()) Weight($"{kerasName}/kernel", kernelInOut);
        if (linear.bias is not null) Weight($"{kerasName}/bias", linear.bias);
    }

    void Weight(string name, Tensor value)
    {
        using var cpu = value.detach().to(ScalarType.Float32, CPU).contiguous();
        shard.Write(MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
        Weights.Add(new JsonObject { ["name"] = name, ["shape"] = new JsonArray([.. cpu.shape.Select(d => (JsonNode)d)]), ["dtype"] = "float32" });
    }
}
