using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnSentinel.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// A training checkpoint in one file: the model's weights and buffers, the optimiser's state, and the
/// trainer's state (epoch, schedule, early stopping, history, torch's random generator), so that a run
/// killed at any moment resumes to the same result as an uninterrupted one.
/// </summary>
/// <remarks>
/// Layout: the 8 bytes <c>CNNSCKPT</c>, a format version (int32), a UTF-8 JSON header (int32 length +
/// bytes), the model state (TorchSharp's <c>Module.save</c> format), the optimiser state, then (format 2) the
/// SHA-256 of everything before it, checked before anything is read: flipped bits in the weights are refused
/// instead of trained on. Files are written atomically; format 1 (no checksum) still loads. Loading checks that the checkpoint was written for the same
/// architecture before touching the model, and leaves the model unchanged when it was not.
/// </remarks>
internal static class Checkpoint
{
    static readonly byte[] Magic = "CNNSCKPT"u8.ToArray();
    const int FormatVersion = 2;
    const int ChecksumLength = 32;
    // A plateau schedule starts with an infinite best loss.
    static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>What a checkpoint records besides the tensors.</summary>
    /// <param name="Model">The model's name (e.g. vgg16).</param>
    /// <param name="Epoch">Epochs completed.</param>
    /// <param name="ValidationAccuracy">Validation accuracy after the last completed epoch.</param>
    /// <param name="Shapes">Every state entry (parameters and buffers) and its shape: the architecture's fingerprint.</param>
    /// <param name="Trainer">The trainer's own state.</param>
    /// <param name="Identity">The settings that define the run (<see cref="TrainerOptions.RunIdentity"/>); null in older checkpoints.</param>
    public sealed record Header(string Model, int Epoch, double ValidationAccuracy, Dictionary<string, long[]> Shapes, TrainerState Trainer,
        IReadOnlyDictionary<string, string>? Identity = null);

    /// <summary>Writes a checkpoint of <paramref name="model"/> and <paramref name="optimizer"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, nn.Module model, OptimizerHelper? optimizer, Header header)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            var json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
            writer.Write(json.Length);
            writer.Write(json);
            model.save(writer);
            writer.Write(optimizer is not null);
            optimizer?.save_state_dict(writer);
            writer.Flush();
            writer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        }
        AtomicFile.WriteAllBytes(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Reads only the header of the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint or is damaged.</exception>
    public static Header ReadHeader(string path)
    {
        using var reader = Open(path);
        return ReadHeader(reader, path);
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="model"/> (and <paramref name="optimizer"/>),
    /// after checking that it was written for the same architecture.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is damaged, or belongs to another architecture; the message lists the differences.</exception>
    public static Header Load(string path, nn.Module model, OptimizerHelper? optimizer = null)
    {
        using var reader = Open(path);
        var header = ReadHeader(reader, path);
        var mismatch = Differences(header.Shapes, Shapes(model));
        if (mismatch.Count > 0)
            throw new InvalidDataException(
                $"{path}: checkpoint of '{header.Model}' does not fit this model: {string.Join("; ", mismatch.Take(8))}" +
                (mismatch.Count > 8 ? $"; and {mismatch.Count - 8} more" : ""));
        try
        {
            // Load into a copy first so that a damaged file cannot leave the model half-loaded.
            var staged = ModelState.Copy(model);
            try
            {
                model.load(reader, strict: true);
                bool hasOptimizer = reader.ReadBoolean();
                if (hasOptimizer && optimizer is not null) optimizer.load_state_dict(reader);
            }
            catch
            {
                ModelState.Restore(model, staged);
                throw;
            }
            finally
            {
                ModelState.Dispose(staged);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or IOException)
        {
            throw new InvalidDataException($"{path}: checkpoint is damaged ({e.Message}).", e);
        }
        return header;
    }

    /// <summary>Every state entry of <paramref name="model"/> and its shape.</summary>
    public static Dictionary<string, long[]> Shapes(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

    static List<string> Differences(Dictionary<string, long[]> saved, Dictionary<string, long[]> current)
    {
        var problems = new List<string>();
        foreach (var key in current.Keys.Except(saved.Keys).Order()) problems.Add($"missing {key}");
        foreach (var key in saved.Keys.Except(current.Keys).Order()) problems.Add($"unexpected {key}");
        foreach (var key in saved.Keys.Intersect(current.Keys).Order())
            if (!saved[key].SequenceEqual(current[key]))
                problems.Add($"{key} has shape [{string.Join(", ", saved[key])}] in the checkpoint, [{string.Join(", ", current[key])}] in the model");
        return problems;
    }

    static BinaryReader Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        var file = File.OpenRead(path);
        try
        {
            VerifyChecksum(file, path);
            file.Position = 0;
            return new BinaryReader(file, Encoding.UTF8);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>For format 2, checks the trailing SHA-256 against the rest of the file.</summary>
    static void VerifyChecksum(FileStream file, string path)
    {
        Span<byte> start = stackalloc byte[12];
        if (file.Length < start.Length + ChecksumLength || file.Read(start) < start.Length || BitConverter.ToInt32(start[8..]) != FormatVersion) return;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(start);
        var buffer = new byte[1 << 20];
        for (long left = file.Length - start.Length - ChecksumLength; left > 0;)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) break;
            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        var stored = new byte[ChecksumLength];
        file.ReadExactly(stored);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
            throw new InvalidDataException($"{path}: checkpoint is damaged (its SHA-256 checksum does not match its content); delete it to start the run afresh.");
    }

    static Header ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            if (!reader.ReadBytes(Magic.Length).SequenceEqual(Magic))
                throw new InvalidDataException($"{path}: not a CnnSentinel checkpoint.");
            int version = reader.ReadInt32();
            if (version is not (1 or FormatVersion))
                throw new InvalidDataException($"{path}: checkpoint format {version} is not supported (expected {FormatVersion}).");
            int length = reader.ReadInt32();
            if (length <= 0 || length > reader.BaseStream.Length) throw new InvalidDataException($"{path}: checkpoint header is damaged.");
            return JsonSerializer.Deserialize<Header>(reader.ReadBytes(length), Json)
                ?? throw new InvalidDataException($"{path}: checkpoint header is empty.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new InvalidDataException($"{path}: checkpoint is truncated or damaged ({e.Message}).", e);
        }
    }
}
