using CnnSentinel.IO;
using CnnSentinel.Models;
using static TorchSharp.torch;

namespace CnnSentinel.Export;

/// <summary>
/// Writes the library's networks as ONNX models (for ONNX Runtime, in .NET or in a browser with
/// onnxruntime-web): input <c>input</c> (N × bands × size × size, float), output <c>probabilities</c>
/// (N × classes, softmax of the logits), in eval mode (batch norm with its running statistics, no dropout).
/// </summary>
/// <remarks>
/// The graph is written from the network's own description of its forward pass (its input normalisation, then the
/// steps of its layout), not traced, one layer at a time by the translation of that layer's type (<c>OnnxLayers</c>):
/// convolutions, batch norms, ReLU, pooling, linear and dropout layers, sequences, residual and dense blocks, input
/// normalisation, band adapters. A network built from these layers needs no export code of its own; a module none
/// translates fails with <see cref="NotSupportedException"/> naming it and its type, rather than being exported wrongly.
/// </remarks>
public static class OnnxExport
{
    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph's output.</summary>
    public const string OutputName = "probabilities";

    /// <summary>Name of the metadata entry that says how the layer weights are stored: <c>float32</c> or <c>int8</c>.</summary>
    public const string WeightsProperty = "weights";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (atomically) with <paramref name="metadata"/>, its layer weights stored as <paramref name="weights"/> says.</summary>
    /// <exception cref="NotSupportedException">The model contains a module this exporter does not translate.</exception>
    public static void Save(ImageClassifier model, string path, ExportMetadata metadata, OnnxWeights weights = OnnxWeights.Float32) =>
        AtomicFile.WriteAllBytes(path, ToBytes(model, metadata, weights));

    /// <summary>The ONNX model of <paramref name="model"/> as bytes, its layer weights stored as <paramref name="weights"/> says.</summary>
    /// <exception cref="NotSupportedException">The model contains a module this exporter does not translate.</exception>
    public static byte[] ToBytes(ImageClassifier model, ExportMetadata metadata, OnnxWeights weights = OnnxWeights.Float32)
    {
        if (model.Classes < 1) throw new NotSupportedException($"{model.GetName()} is a feature extractor (no classes); only classifiers are exported.");
        if (metadata.ClassNames.Count != model.Classes)
            throw new ArgumentException($"{model.GetName()} has {model.Classes} classes; the metadata names {metadata.ClassNames.Count}.", nameof(metadata));
        if (metadata.BandNames.Count != model.Bands || metadata.Preprocessing.Bands != model.Bands)
            throw new ArgumentException($"{model.GetName()} reads {model.Bands} bands; the metadata describes {metadata.BandNames.Count} band names and {metadata.Preprocessing.Bands} means.", nameof(metadata));
        var graph = new OnnxGraphWriter(weights);
        var input = graph.UniqueName(InputName);
        using (no_grad())
        {
            var logits = OnnxLayers.Chain(graph, model.StepsFromInput(), null, input);
            // No module is named like the output, so the node gets exactly that name.
            var probabilities = graph.Node("Softmax", OutputName, [logits], OnnxGraphWriter.Attribute("axis", 1L));
            return graph.ToModel(model.GetName(), input, [null, model.Bands, metadata.InputSize, metadata.InputSize],
                probabilities, [null, model.Classes], new Dictionary<string, string>(metadata.ToProperties()) { [WeightsProperty] = weights.ToString().ToLowerInvariant() });
        }
    }
}
