using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.IO;
using CnnSentinel.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Writes networks that are plain stacks of Keras layers (<see cref="SmallCnn"/>, <see cref="SceneCnn"/>,
/// <see cref="Vgg16"/> with the original head) as a TensorFlow.js LayersModel: <c>model.json</c> (a Keras
/// Sequential topology and the weights manifest) and one weight shard, <c>weights.bin</c>, as the original
/// project's browser page loads its VGG16. Input N × size × size × bands (channels last), output the softmax.
/// </summary>
/// <remarks>
/// Kernels are moved to Keras' layouts (convolution out × in × kh × kw → kh × kw × in × out, dense out × in →
/// in × out). Residual and dense networks are not sequential and fail with <see cref="NotSupportedException"/>;
/// export them to ONNX (<see cref="OnnxExport"/>).
/// </remarks>
public static class TfjsExport
{
    /// <summary>The weight shard's file name, next to model.json.</summary>
    public const string WeightsFileName = "weights.bin";

    /// <summary>Writes <c>model.json</c> and <see cref="WeightsFileName"/> for <paramref name="model"/> into <paramref name="folder"/> (atomically, the shard first).</summary>
    /// <exception cref="NotSupportedException">The network or one of its modules has no Keras layer here.</exception>
    public static void Save(ImageClassifier model, string folder, ExportMetadata metadata)
    {
        if (model.InputNormalization is not null)
            throw new NotSupportedException($"TF.js export: {model.GetName()} standardises its input inside the network; export it to ONNX.");
        var layers = new JsonArray();
        var weights = new JsonArray();
        var shard = new MemoryStream();
        var children = model.named_children().ToDictionary(c => c.name, c => c.module);
        string[] parts = model switch
        {
            PooledCnn => ["features", "classifier"],
            Vgg16 { Head: ClassifierHead.Original } => ["features", "avgpool", "classifier"],
            _ => throw new NotSupportedException($"TF.js export does not know the network {model.GetName()} (only sequential ones: SmallCnn, SceneCnn, VGG16 with the original head); export it to ONNX."),
        };
        var writer = new LayerWriter(layers, weights, shard);
        using (no_grad())
        {
            foreach (var part in parts) writer.Add(children[part], part);
            if (model is PooledCnn) writer.InsertGlobalPoolingBefore("classifier"); // the pooling is in the forward pass, not a layer
            writer.Layer("Activation", "softmax", new JsonObject { ["activation"] = "softmax" });
        }
        ((JsonObject)layers[0]!["config"]!)["batch_input_shape"] = new JsonArray(null, metadata.InputSize, metadata.InputSize, model.Bands);
        var document = new JsonObject
        {
            ["format"] = "layers-model",
            ["generatedBy"] = "CnnSentinel",
            ["convertedBy"] = null,
            ["modelTopology"] = new JsonObject
            {
                ["class_name"] = "Sequential",
                ["config"] = new JsonObject { ["name"] = model.GetName(), ["layers"] = layers },
                ["keras_version"] = "2.15.0",
                ["backend"] = "tensorflow",
            },
            ["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray(WeightsFileName), ["weights"] = weights }),
            ["userDefinedMetadata"] = new JsonObject(metadata.ToProperties().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonNode.Parse(p.Value)))),
        };
        AtomicFile.WriteAllBytes(Path.Combine(folder, WeightsFileName), shard.ToArray());
        AtomicFile.WriteAllText(Path.Combine(folder, "model.json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Appends Keras layers and their weights (in the order Keras lists them) for torch modules.</summary>
    sealed class LayerWriter(JsonArray layers, JsonArray weights, MemoryStream shard)
    {
        public void Add(nn.Module module, string name)
        {
            var kerasName = name.Replace('.', '_');
            switch (module)
            {
                case Sequential:
                    foreach (var (childName, child) in module.named_children()) Add(child, $"{name}.{childName}");
                    break;
                case Dropout:
                    break; // identity at inference
                case Conv2d conv:
                    var kernel = conv.kernel_size[0];
                    var padding = conv.padding?[0] ?? -1;
                    var same = padding == (kernel - 1) / 2 && kernel % 2 == 1 && conv.stride.All(s => s == 1);
                    if (conv.kernel_size.Distinct().Count() != 1 || conv.groups != 1 || conv.dilation.Any(d => d != 1) || padding != 0 && !same || conv.padding_mode != PaddingModes.Zeros)
                        throw new NotSupportedException($"TF.js export: the convolution '{name}' (padding, dilation or groups) has no Keras Conv2D equivalent here.");
                    Layer("Conv2D", kerasName, new JsonObject
                    {
                        ["filters"] = conv.weight!.shape[0], ["kernel_size"] = new JsonArray(kernel, kernel),
                        ["strides"] = new JsonArray(conv.stride[0], conv.stride[1]), ["padding"] = padding == 0 ? "valid" : "same",
                        ["data_format"] = "channels_last", ["dilation_rate"] = new JsonArray(1, 1), ["activation"] = "linear", ["use_bias"] = conv.bias is not null,
                    });
                    using (var kernelHwio = conv.weight.permute(2, 3, 1, 0)) Weight($"{kerasName}/kernel", kernelHwio);
                    if (conv.bias is not null) Weight($"{kerasName}/bias", conv.bias);
                    break;
                case BatchNorm norm:
                    Layer("BatchNormalization", kerasName, new JsonObject
                    {
                        ["axis"] = -1, ["epsilon"] = norm.eps, ["momentum"] = 0.99, ["center"] = true, ["scale"] = true,
                    });
                    Weight($"{kerasName}/gamma", norm.weight!);
                    Weight($"{kerasName}/beta", norm.bias!);
                    Weight($"{kerasName}/moving_mean", norm.running_mean!);
                    Weight($"{kerasName}/moving_variance", norm.running_var!);
                    break;
                case ReLU:
                    Layer("Activation", kerasName, new JsonObject { ["activation"] = "relu" });
                    break;
                case MaxPool2d pool when (pool.padding ?? [0, 0]).All(p => p == 0) && !pool.ceil_mode:
                    var stride = pool.stride ?? pool.kernel_size;
                    Layer("MaxPooling2D", kerasName, new JsonObject
                    {
                        ["pool_size"] = new JsonArray(pool.kernel_size[0], pool.kernel_size[1]), ["strides"] = new JsonArray(stride[0], stride[1]),
                        ["padding"] = "valid", ["data_format"] = "channels_last",
                    });
                    break;
                case AdaptiveAvgPool2d adaptive when adaptive.output_size.All(size => size == 1):
                    Layer("GlobalAveragePooling2D", kerasName, new JsonObject { ["data_format"] = "channels_last" });
                    break;
                case Linear linear:
                    Layer("Dense", kerasName, new JsonObject { ["units"] = linear.weight!.shape[0], ["activation"] = "linear", ["use_bias"] = linear.bias is not null });
                    using (var kernelInOut = linear.weight.t()) Weight($"{kerasName}/kernel", kernelInOut);
                    if (linear.bias is not null) Weight($"{kerasName}/bias", linear.bias);
                    break;
                default:
                    throw new NotSupportedException($"TF.js export does not translate the module '{name}' ({module.GetType().Name}).");
            }
        }

        public void InsertGlobalPoolingBefore(string prefix)
        {
            var index = layers.Select((layer, i) => (layer, i)).First(l => ((string)l.layer!["config"]!["name"]!).StartsWith(prefix, StringComparison.Ordinal)).i;
            layers.Insert(index, Keras("GlobalAveragePooling2D", "mean", new JsonObject { ["data_format"] = "channels_last" }));
        }

        public void Layer(string className, string name, JsonObject config) => layers.Add(Keras(className, name, config));

        static JsonObject Keras(string className, string name, JsonObject config)
        {
            config["name"] = name;
            config["trainable"] = true;
            config["dtype"] = "float32";
            return new JsonObject { ["class_name"] = className, ["config"] = config };
        }

        void Weight(string name, Tensor value)
        {
            using var cpu = value.detach().to(ScalarType.Float32, CPU).contiguous();
            shard.Write(MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
            weights.Add(new JsonObject { ["name"] = name, ["shape"] = new JsonArray([.. cpu.shape.Select(d => (JsonNode)d)]), ["dtype"] = "float32" });
        }
    }
}
