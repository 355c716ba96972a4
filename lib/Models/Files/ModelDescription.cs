using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CnnSentinel.Datasets;
using CnnSentinel.Transforms;

namespace CnnSentinel.Models;

/// <summary>
/// Everything a saved classifier needs besides its weights, stored in its model file (<see cref="ModelFile"/>):
/// how to build it, what it reads, how inputs are prepared, what it outputs, and how it was made.
/// </summary>
/// <param name="Architecture">A <see cref="ModelCatalog"/> name (e.g. <c>resnet18-imagenet</c>, <c>scenecnn</c>).</param>
/// <param name="Adaptation">For a pretrained RGB network adapted to other bands: how (null otherwise).</param>
/// <param name="Bands">Band names in input order (e.g. B04, B03, B02 for RGB).</param>
/// <param name="Classes">Class names in output order.</param>
/// <param name="Preprocessing">How raw values become the network's input: what the data loader applies before the network, and the
/// network's own input normalisation (part of the module, not of the weights).</param>
/// <param name="PatchSize">Height and width of the patches it was trained on.</param>
/// <param name="Training">How it was trained, on what, and what it reached; null when unknown.</param>
public sealed record ModelDescription(
    string Architecture,
    BandAdaptation? Adaptation,
    IReadOnlyList<string> Bands,
    IReadOnlyList<string> Classes,
    Preprocessing Preprocessing,
    int PatchSize,
    TrainingProvenance? Training)
{
    /// <summary>The version of this description's layout; a reader refuses newer ones.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>
    /// The layout this library writes. 2: one <see cref="Preprocessing"/>; 1 stored the loader's stage as <c>Normalization</c>
    /// and the network's as the single-precision lists <c>InputMean</c> and <c>InputStd</c> (still read, <see cref="FromJson"/>).
    /// </summary>
    public const int CurrentFormatVersion = 2;

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// Reads a description from its JSON, of this layout or of version 1 (whose network stage, stored in single
    /// precision, becomes the same numbers in double precision).
    /// </summary>
    /// <exception cref="JsonException">Not JSON of a model description.</exception>
    /// <exception cref="InvalidDataException">A layout newer than <see cref="CurrentFormatVersion"/>.</exception>
    internal static ModelDescription FromJson(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a model description is a JSON object");
        int version = node["FormatVersion"] switch
        {
            null => 1,
            JsonValue value when value.TryGetValue<int>(out var whole) && whole >= 1 => whole,
            var other => throw new InvalidDataException($"field FormatVersion: {Shown(other)} is not a format version (a whole number from 1)"),
        };
        if (version > CurrentFormatVersion)
            throw new InvalidDataException($"it was written by a newer version of CnnSentinel (model format {version}; this one reads up to {CurrentFormatVersion})");
        if (version == 1)
        {
            var network = node["InputMean"] is JsonArray mean && node["InputStd"] is JsonArray std
                ? new JsonObject { ["Mean"] = Widened(mean), ["Std"] = Widened(std) }
                : null;
            node["Preprocessing"] = new JsonObject { ["Input"] = node["Normalization"]?.DeepClone(), ["Network"] = network };
            foreach (var key in new[] { "Normalization", "InputMean", "InputStd" }) node.Remove(key);
            node["FormatVersion"] = CurrentFormatVersion;
        }
        ModelDescription description;
        try
        {
            description = node.Deserialize<ModelDescription>(Json) ?? throw new JsonException("the model description is empty");
        }
        catch (ArgumentNullException e)
        {
            throw new InvalidDataException($"a required part is missing ({e.ParamName})", e);
        }
        catch (Exception e) when (e is UserErrorException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException(e.Message, e); // a constructor's check (e.g. a normalisation's lengths) or a value of the wrong type
        }
        description.Validate();
        return description;
    }

    /// <summary>The least and most <see cref="PatchSize"/> a description may give: a network's window, not a scene.</summary>
    internal const int MinPatchSize = 8, MaxPatchSize = 1024;

    /// <summary>
    /// Checks the description as a whole — required parts present, names known, counts consistent, numbers in range — so that a
    /// damaged or hand-edited model file is refused on load, naming the field, instead of failing somewhere later.
    /// </summary>
    /// <exception cref="InvalidDataException">A field is missing or wrong; the message names it.</exception>
    void Validate()
    {
        static void Require(bool ok, string field, string problem)
        {
            if (!ok) throw new InvalidDataException($"field {field}: {problem}");
        }
        Require(!string.IsNullOrWhiteSpace(Architecture), "Architecture", "missing");
        Require(ModelCatalog.Architectures.Contains(Architecture.ToLowerInvariant()), "Architecture",
            $"'{Architecture}' is none of {string.Join(", ", ModelCatalog.Architectures)}");
        Require(Bands is { Count: > 0 } && Bands.All(b => !string.IsNullOrWhiteSpace(b)), "Bands", "missing, empty or with an empty name");
        Require(Classes is { Count: > 1 } && Classes.All(c => !string.IsNullOrWhiteSpace(c)), "Classes", "missing, fewer than two, or with an empty name");
        Require(Preprocessing is not null, "Preprocessing", "missing");
        Require(Preprocessing!.Input is not null, "Preprocessing.Input", "missing");
        Require(Preprocessing.Input!.Bands == Bands!.Count, "Preprocessing.Input",
            $"{Preprocessing.Input.Bands} bands, but Bands names {Bands.Count}");
        Require(Preprocessing.Input.Mean.Concat(Preprocessing.Input.Std).All(double.IsFinite), "Preprocessing.Input", "a mean or deviation is not a finite number");
        if (Preprocessing.Network is { } network)
        {
            Require(network.Bands == (Adaptation == BandAdaptation.Adapter ? 3 : Bands.Count), "Preprocessing.Network",
                $"{network.Bands} bands, but the network reads {(Adaptation == BandAdaptation.Adapter ? 3 : Bands.Count)}");
            Require(network.Mean.Concat(network.Std).All(double.IsFinite), "Preprocessing.Network", "a mean or deviation is not a finite number");
        }
        Require(PatchSize is >= MinPatchSize and <= MaxPatchSize, "PatchSize", $"{PatchSize} is not a patch size ({MinPatchSize} to {MaxPatchSize} pixels)");
        if (Adaptation is { } adaptation) Require(Enum.IsDefined(adaptation), "Adaptation", $"{adaptation} is not a band adaptation");
    }

    static string Shown(JsonNode node) => node.ToJsonString() is { Length: > 40 } text ? text[..40] + "…" : node.ToJsonString();

    static JsonArray Widened(JsonArray singles) => [.. singles.Deserialize<float[]>()!.Select(f => JsonValue.Create((double)f))];

    /// <summary>Builds the described network with random weights (its input normalisation set), ready for the weights.</summary>
    public ImageClassifier Build()
    {
        bool adapter = Adaptation == BandAdaptation.Adapter;
        var model = ModelCatalog.Create(Architecture, Classes.Count, adapter ? 3 : Bands.Count);
        // With an adapter the input normalisation belongs to the RGB backbone, after the 1×1 convolution.
        if (Preprocessing.Network is { } network) model.SetInputNormalization(new InputNormalization(network));
        return adapter ? model.AddBandAdapter(Bands.Count) : model;
    }

    /// <summary>
    /// The split this model was trained with, made again on <paramref name="dataset"/> (the folder it was trained on) from its
    /// training record, e.g. to evaluate it on its own validation side.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The description records no training data, or <paramref name="dataset"/> is not the folder the model was trained on, or
    /// the split comes out with other sizes than recorded. The message says to pass a split manifest instead.
    /// </exception>
    public SplitManifest ReproduceSplit(EuroSatDataset dataset) => TrainingSplit.Reproduce(this, dataset);
}

/// <summary>How a saved model was trained and what it reached.</summary>
/// <param name="Recipe">The recipe (<c>original</c>, <c>fast</c>) or <c>scratch</c>, with its settings in words.</param>
/// <param name="Seed">Seed of the split, the shuffles, the augmentation and the initial weights.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="ImagesSeen">Training images seen (with repetitions).</param>
/// <param name="Seconds">Wall time of the training, in seconds.</param>
/// <param name="Machine">Where it ran (processor count and operating system).</param>
/// <param name="Data">The data it was trained and validated on.</param>
/// <param name="Validation">The validation figures of the saved weights.</param>
public sealed record TrainingProvenance(string Recipe, int Seed, int BatchSize, int Epochs, long ImagesSeen, double Seconds, string Machine,
    DataIdentity Data, ValidationFigures Validation)
{
    /// <summary>The name of the model file this training started from (<c>train --init</c>); null when it started from ImageNet's or random weights.</summary>
    public string? ContinuedFromFile { get; init; }

    /// <summary>How the model it started from had been trained (itself possibly continued from another); null when it started from ImageNet's or random weights.</summary>
    public TrainingProvenance? ContinuedFrom { get; init; }

    /// <summary>What <see cref="Recipe"/> ends with when the optimiser steps computed in bfloat16 (<c>train --precision bf16</c>).</summary>
    public const string BFloat16Steps = "; optimiser steps in bfloat16 mixed precision (float32 master weights)";

    /// <summary>Whether the optimiser steps computed in bfloat16, as <see cref="Recipe"/> records.</summary>
    [JsonIgnore]
    public bool StepsInBFloat16 => Recipe.EndsWith(BFloat16Steps, StringComparison.Ordinal);
}

/// <summary>Which data a model saw: enough to tell whether another run used the same files and split.</summary>
/// <param name="Folder">The folder's name (not its path).</param>
/// <param name="Files">Number of patch files in it.</param>
/// <param name="Digest">SHA-256 of the sorted relative paths of those files.</param>
/// <param name="ValidationFraction">Share of each class held out for validation.</param>
/// <param name="TrainingImages">Images on the training side.</param>
/// <param name="ValidationImages">Images on the validation side.</param>
public sealed record DataIdentity(string Folder, int Files, string Digest, double ValidationFraction, int TrainingImages, int ValidationImages)
{
    /// <summary>
    /// The identity of <paramref name="dataset"/> split by <paramref name="split"/>: its folder name, file count, SHA-256 of
    /// the sorted relative paths, and the sizes of both sides. Two runs with the same identity and seed trained and
    /// validated on the same images.
    /// </summary>
    public static DataIdentity Of(EuroSatDataset dataset, SplitManifest split)
    {
        var paths = string.Join('\n', dataset.Samples.Select(s => s.RelativePath).Order(StringComparer.Ordinal));
        var digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(paths))).ToLowerInvariant();
        return new DataIdentity(Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset.Root)), dataset.Samples.Count, digest,
            (double)split.Validation.Count / dataset.Samples.Count, split.Train.Count, split.Validation.Count);
    }
}

/// <summary>Validation figures of a saved model.</summary>
/// <param name="OverallAccuracy">Share of validation images classified correctly.</param>
/// <param name="Kappa">Cohen's kappa.</param>
/// <param name="Images">Validation images.</param>
/// <param name="TestTimeAugmentation">Whether probabilities were averaged over the 8 flips and quarter turns.</param>
public sealed record ValidationFigures(double OverallAccuracy, double Kappa, int Images, bool TestTimeAugmentation);
