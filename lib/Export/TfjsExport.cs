using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.IO;
using CnnSentinel.Models;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Writes networks that are plain stacks of Keras layers (<see cref="SmallCnn"/>, <see cref="SceneCnn"/>,
/// <see cref="Vgg16"/> with the original head, any network whose layout is such a stack) as a TensorFlow.js
/// LayersModel: <c>model.json</c> (a Keras Sequential topology and the weights manifest) and one weight shard,
/// <c>weights.bin</c>, as the original project's browser page loads its VGG16. Input N × size × size × bands (channels last), output the softmax.
/// </summary>
/// <remarks>
/// The layers are translated one by one from the network's layout, by the translation of each layer's type
/// (<c>KerasLayers</c>). Residual and dense networks are not sequential and fail with <see cref="NotSupportedException"/>
/// naming the module, as does an input normalisation inside the network; export them to ONNX (<see cref="OnnxExport"/>).
/// </remarks>
public static class TfjsExport
{
    /// <summary>The weight shard's file name, next to model.json.</summary>
    public const string WeightsFileName = "weights.bin";

    /// <summary>Writes <c>model.json</c> and <see cref="WeightsFileName"/> for <paramref name="model"/> into <paramref name="folder"/> (atomically, the shard first).</summary>
    /// <exception cref="NotSupportedException">The network or one of its modules has no Keras layer here.</exception>
    public static void Save(ImageClassifier model, string folder, ExportMetadata metadata)
    {
        var keras = new KerasLayers(model.GetName());
        using (no_grad())
        {
            foreach (var step in model.StepsFromInput()) keras.Add(step.Module, step.Name);
            keras.Layer("Activation", "softmax", new JsonObject { ["activation"] = "softmax" });
        }
        var layers = keras.Layers;
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
            ["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray(WeightsFileName), ["weights"] = keras.Weights }),
            ["userDefinedMetadata"] = new JsonObject(metadata.ToProperties().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonNode.Parse(p.Value)))),
        };
        AtomicFile.WriteAllBytes(Path.Combine(folder, WeightsFileName), keras.Shard);
        AtomicFile.WriteAllText(Path.Combine(folder, "model.json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
