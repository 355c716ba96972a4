using CnnSentinel.Datasets;
using CnnSentinel.Loading;
using CnnSentinel.Models;

namespace CnnSentinel.Evaluation;

/// <summary>A saved model (<see cref="ModelFile"/>) evaluated on a labelled EuroSAT-style folder, with what the file says about inputs.</summary>
public static class ModelEvaluation
{
    /// <summary>
    /// Evaluates the model file at <paramref name="modelPath"/> on <paramref name="samples"/> of <paramref name="dataset"/>
    /// (every file when null), preparing inputs with the normalisation the file records.
    /// </summary>
    /// <param name="modelPath">A model file.</param>
    /// <param name="dataset">A labelled EuroSAT-style folder with the model's bands and classes.</param>
    /// <param name="samples">Which files (e.g. one side of a split); null for all.</param>
    /// <param name="testTimeAugmentation">Average over the 8 flips and quarter turns; null for what the model file's own figures used.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="device">Where to run the model; the CPU when null.</param>
    /// <param name="precision">The number format the model computes in.</param>
    /// <exception cref="InvalidDataException">The data's bands or classes are not the model's; the message names both.</exception>
    public static EvaluationReport Evaluate(string modelPath, EuroSatDataset dataset, IReadOnlyList<EuroSatSample>? samples = null,
        bool? testTimeAugmentation = null, int batchSize = 64, TorchSharp.torch.Device? device = null, Runtime.ComputePrecision precision = Runtime.ComputePrecision.Float32)
    {
        var (model, description) = ModelFile.Load(modelPath);
        using var _ = model;
        CheckFits(description, dataset, modelPath);
        var loader = new PatchLoader(dataset, samples, LoaderOptions.Evaluation with { BatchSize = batchSize, Normalization = description.Preprocessing.Input });
        return Evaluator.Evaluate(model, loader.Batches(0), description.Classes,
            testTimeAugmentation ?? description.Training?.Validation.TestTimeAugmentation ?? false, device, precision);
    }

    /// <summary>Refuses data whose bands or classes differ from what the model reads and gives.</summary>
    /// <exception cref="InvalidDataException">They differ; the message names the model file, the folder and both lists.</exception>
    public static void CheckFits(ModelDescription description, EuroSatDataset dataset, string modelPath)
    {
        if (!description.Bands.SequenceEqual(dataset.BandNames))
            throw new InvalidDataException($"{modelPath} reads the bands {string.Join(", ", description.Bands)}, but {dataset.Root} has {string.Join(", ", dataset.BandNames)}.");
        if (!description.Classes.SequenceEqual(dataset.Classes))
            throw new InvalidDataException($"{modelPath} gives the classes {string.Join(", ", description.Classes)}, but {dataset.Root} has {string.Join(", ", dataset.Classes)}.");
    }
}
