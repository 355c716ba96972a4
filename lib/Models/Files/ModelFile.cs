using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CnnSentinel.IO;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A trained classifier in one <c>.safetensors</c> file: its weights, and in the file's <c>__metadata__</c> (key
/// <see cref="MetadataKey"/>) a JSON <see cref="ModelDescription"/>: architecture, bands, classes, normalisation,
/// patch size, training provenance and validation figures. Everything that loads a model (evaluate, classify,
/// export, notebooks) reads it from here alone.
/// </summary>
/// <remarks>
/// The weights are an ordinary safetensors state dict with torchvision's key names, so any safetensors reader
/// (Python's <c>safetensors</c>, PyTorch) opens the file. Weights may be stored as float16 (<c>half</c>) to halve the
/// file; they are widened to float32 on load.
/// </remarks>
public static class ModelFile
{
    /// <summary>The <c>__metadata__</c> key that holds the description.</summary>
    public const string MetadataKey = "cnnsentinel.model";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes <paramref name="model"/> and <paramref name="description"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The trained network.</param>
    /// <param name="path">A <c>.safetensors</c> path.</param>
    /// <param name="description">What the network is; its bands and classes must fit the network.</param>
    /// <param name="half">Store floating-point tensors as float16.</param>
    /// <exception cref="UserErrorException">The path is not <c>.safetensors</c>.</exception>
    /// <exception cref="ArgumentException">The description does not fit the network.</exception>
    public static void Save(ImageClassifier model, string path, ModelDescription description, bool half = false)
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new UserErrorException($"{path}: a model file ends in .safetensors.");
        if (description.Bands.Count != model.Bands || description.Classes.Count != model.Classes)
            throw new ArgumentException($"The description names {description.Bands.Count} bands and {description.Classes.Count} classes; " +
                $"{model.GetName()} reads {model.Bands} and gives {model.Classes}.", nameof(description));
        using var scope = NewDisposeScope();
        var tensors = model.state_dict().ToDictionary(kv => kv.Key,
            kv => half && kv.Value.is_floating_point() ? kv.Value.detach().to_type(ScalarType.Float16) : kv.Value.detach());
        using var buffer = new MemoryStream();
        Safetensors.SaveStateDict(buffer, tensors, leaveOpen: true);
        var bytes = WithMetadata(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JsonSerializer.Serialize(description, Json));
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Rounds <paramref name="model"/>'s floating-point weights and buffers to float16 and back, in place: the network
    /// then computes exactly what a half-precision model file of it will (<see cref="Save"/> with <c>half</c>), so that
    /// figures measured before saving are those of the stored weights.
    /// </summary>
    public static void RoundToHalf(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, tensor) in model.state_dict())
            if (tensor.is_floating_point())
                using (var half = tensor.to_type(ScalarType.Float16)) tensor.copy_(half);
    }

    /// <summary>Reads the description of the model file at <paramref name="path"/> without its weights.</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">Not a model file of this library (e.g. bare weights); the message says what to do.</exception>
    public static ModelDescription ReadDescription(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: {path}", path);
        var text = DescriptionText(path, ReadHeader(path))
            ?? throw new InvalidDataException($"{path} holds weights but no model description ({MetadataKey}): it is a bare state dict. " +
                "Load it with StateDictFile.LoadWeights into a network you build, or save it with ModelFile.Save.");
        ModelDescription description;
        try
        {
            description = ModelDescription.FromJson(text);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: the model description cannot be read: {e.Message.TrimEnd('.')}.", e);
        }
        return description;
    }

    /// <summary>Builds the network described in the model file at <paramref name="path"/> and loads its weights (in eval mode).</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">Not a model file, or damaged.</exception>
    /// <exception cref="StateDictMismatchException">The weights do not fit the described network.</exception>
    public static (ImageClassifier Model, ModelDescription Description) Load(string path)
    {
        var description = ReadDescription(path);
        var model = description.Build();
        model.LoadWeights(path);
        model.eval();
        return (model, description);
    }

    /// <summary>Whether <paramref name="path"/> is a model file with a description (not a bare state dict or another format).</summary>
    public static bool HasDescription(string path)
    {
        try
        {
            // A malformed description still counts, so that reading it names what is wrong.
            return ReadHeader(path)["__metadata__"] is var metadata && (metadata is JsonObject map ? map.ContainsKey(MetadataKey) : metadata is not null);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    // The description's text in the header's __metadata__, which the format makes a map of strings; null when absent.
    static string? DescriptionText(string path, JsonObject header) => header["__metadata__"] switch
    {
        null => null,
        JsonObject metadata => metadata[MetadataKey] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => throw new InvalidDataException($"{path}: field __metadata__.{MetadataKey} is not a string (safetensors metadata maps names to strings)."),
        },
        _ => throw new InvalidDataException($"{path}: field __metadata__ is not an object of strings."),
    };

    static JsonObject ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (stream.Read(prefix) != 8) throw new InvalidDataException($"{path} is too short to be a safetensors file.");
        var length = BinaryPrimitives.ReadInt64LittleEndian(prefix);
        if (length <= 0 || length > Math.Min(stream.Length - 8, 100_000_000))
            throw new InvalidDataException($"{path} is not a safetensors file (header length {length}, file {stream.Length} bytes).");
        var header = new byte[length];
        stream.ReadExactly(header);
        try
        {
            return JsonNode.Parse(header) as JsonObject ?? throw new InvalidDataException($"{path}: the safetensors header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>
    /// The safetensors bytes with <paramref name="description"/> added to the header's <c>__metadata__</c>. Tensor
    /// offsets count from the end of the header, so the data are copied unchanged; the header is padded with
    /// spaces to a multiple of 8 bytes, as the format recommends.
    /// </summary>
    static byte[] WithMetadata(ReadOnlySpan<byte> safetensors, string description)
    {
        var length = (int)BinaryPrimitives.ReadInt64LittleEndian(safetensors);
        var header = JsonNode.Parse(safetensors.Slice(8, length).ToArray())!.AsObject();
        var metadata = header["__metadata__"] as JsonObject ?? [];
        header.Remove("__metadata__");
        metadata["format"] = "pt";
        metadata[MetadataKey] = description;
        header["__metadata__"] = metadata;
        var text = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (text.Length + 7) / 8 * 8;
        var data = safetensors[(8 + length)..];
        var result = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(result, padded);
        text.CopyTo(result, 8);
        result.AsSpan(8 + text.Length, padded - text.Length).Fill((byte)' ');
        data.CopyTo(result.AsSpan(8 + padded));
        return result;
    }
}
