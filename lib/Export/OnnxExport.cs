using CnnSentinel.Datasets;
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

    /// <summary>
    /// Name of the metadata entry that says what the graph's convolutions read: <c>float32</c>, or <c>uint8</c> where
    /// the export was given calibration windows (a program that runs it must let its runtime fuse the quantised
    /// operators: the map page does).
    /// </summary>
    public const string ActivationsProperty = "activations";

    /// <summary>How many windows <see cref="CalibrationWindows"/> reads by default.</summary>
    public const int CalibrationCount = 500;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> (atomically) with <paramref name="metadata"/>, its layer
    /// weights stored as <paramref name="weights"/> says, computing in 8 bits where <paramref name="calibration"/> is given
    /// (see <see cref="ToBytes"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">The model contains a module this exporter does not translate.</exception>
    public static void Save(ImageClassifier model, string path, ExportMetadata metadata, OnnxWeights weights = OnnxWeights.Float32, Tensor? calibration = null) =>
        AtomicFile.WriteAllBytes(path, ToBytes(model, metadata, weights, calibration));

    /// <summary>
    /// The ONNX model of <paramref name="model"/> as bytes, its layer weights stored as <paramref name="weights"/> says.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="metadata">What a program running the graph needs to know (written as metadata_props).</param>
    /// <param name="weights">How the convolution and linear weights are stored.</param>
    /// <param name="calibration">
    /// Windows as the graph reads them (N × bands × size × size, after the metadata's input stage;
    /// <see cref="CalibrationWindows"/> reads them from EuroSAT patches), or null. Where given (with
    /// <see cref="OnnxWeights.Int8"/>), the values the convolutions read are rounded to uint8 at scales chosen on these
    /// windows, so that ONNX Runtime computes the convolutions in integers: more than twice as fast in a browser's
    /// WebAssembly, with probabilities a little further from the network's than int8 weights alone give.
    /// </param>
    /// <exception cref="NotSupportedException">The model contains a module this exporter does not translate.</exception>
    /// <exception cref="ArgumentException">Calibration windows with float32 weights, or of the wrong shape.</exception>
    public static byte[] ToBytes(ImageClassifier model, ExportMetadata metadata, OnnxWeights weights = OnnxWeights.Float32, Tensor? calibration = null)
    {
        if (model.Classes < 1) throw new NotSupportedException($"{model.GetName()} is a feature extractor (no classes); only classifiers are exported.");
        if (metadata.ClassNames.Count != model.Classes)
            throw new ArgumentException($"{model.GetName()} has {model.Classes} classes; the metadata names {metadata.ClassNames.Count}.", nameof(metadata));
        if (metadata.BandNames.Count != model.Bands || metadata.Preprocessing.Bands != model.Bands)
            throw new ArgumentException($"{model.GetName()} reads {model.Bands} bands; the metadata describes {metadata.BandNames.Count} band names and {metadata.Preprocessing.Bands} means.", nameof(metadata));
        if (calibration is not null)
        {
            if (weights != OnnxWeights.Int8)
                throw new ArgumentException("8-bit activations need int8 weights (ONNX Runtime's integer convolutions read int8 weights); export with OnnxWeights.Int8.", nameof(calibration));
            var shape = calibration.shape;
            if (shape.Length != 4 || shape[0] < 1 || shape[1] != model.Bands || shape[2] != metadata.InputSize || shape[3] != metadata.InputSize)
                throw new ArgumentException($"Calibration windows must be N × {model.Bands} × {metadata.InputSize} × {metadata.InputSize} (N ≥ 1); got [{string.Join(", ", shape)}].", nameof(calibration));
        }
        var graph = new OnnxGraphWriter(weights);
        var input = graph.UniqueName(InputName);
        using (no_grad())
        {
            var logits = OnnxLayers.Chain(graph, model.StepsFromInput(), null, input);
            // No module is named like the output, so the node gets exactly that name.
            var probabilities = graph.Node("Softmax", OutputName, [logits], OnnxGraphWriter.Attribute("axis", 1L));
            var properties = new Dictionary<string, string>(metadata.ToProperties())
            {
                [WeightsProperty] = weights.ToString().ToLowerInvariant(),
                [ActivationsProperty] = calibration is null ? "float32" : ActivationQuantisation.ElementType,
            };
            var bytes = graph.ToModel(model.GetName(), input, [null, model.Bands, metadata.InputSize, metadata.InputSize], probabilities, [null, model.Classes], properties);
            return calibration is null ? bytes : ActivationQuantisation.Apply(bytes, calibration, input);
        }
    }

    /// <summary>
    /// Calibration windows for <see cref="ToBytes"/>: <paramref name="count"/> patches of <paramref name="dataset"/> (all
    /// of them where it has fewer), drawn evenly over its classes with <paramref name="seed"/>, through the metadata's
    /// input stage. Patches like the ones the model learned from, so that the chosen scales cover what it meets.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset's bands are not the model's.</exception>
    public static Tensor CalibrationWindows(EuroSatDataset dataset, ExportMetadata metadata, int count = CalibrationCount, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (dataset.BandCount != metadata.BandNames.Count)
            throw new ArgumentException($"{dataset.Root} holds {dataset.BandCount}-band patches; the model reads {metadata.BandNames.Count} bands.", nameof(dataset));
        var random = new Random(seed);
        // Round-robin over the classes, each class's patches shuffled: the classes as evenly represented as count allows.
        var byClass = dataset.Samples.GroupBy(s => s.ClassIndex).OrderBy(g => g.Key).Select(g => new Queue<EuroSatSample>(g.OrderBy(_ => random.Next()))).ToList();
        var chosen = new List<EuroSatSample>();
        while (chosen.Count < count && byClass.Any(q => q.Count > 0))
            foreach (var queue in byClass.Where(q => q.Count > 0))
                if (chosen.Count < count) chosen.Add(queue.Dequeue());
        using var images = dataset.ReadImages(chosen);
        return metadata.Preprocessing.Apply(images);
    }
}
