using System.Collections;
using System.Text.Json;
using CnnSentinel.IO;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// Reads and writes PyTorch state dicts — <c>torch.save(model.state_dict())</c> files (<c>.pth</c>,
/// <c>.pt</c>, <c>.bin</c>) and <c>.safetensors</c> — and loads them into models, strictly by default.
/// </summary>
public static class StateDictFile
{
    /// <summary>Reads the tensors of a state dict file (a checkpoint dict holding <c>state_dict</c> or <c>model</c> is unwrapped).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, damaged or not a state dict; the message names it.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"State dict file not found: {path}", path);
        try
        {
            return IsSafetensors(path) ? ReadSafetensors(path) : ReadPickle(path);
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw;
        }
        catch (OutOfMemoryException e) when (!IsSafetensors(path))
        {
            // A pickle declares the length of what follows; a damaged or hostile one declares gigabytes in a few bytes.
            throw new InvalidDataException($"{path} cannot be read as a PyTorch state dict: it declares a value larger than memory allows ({e.Message}), " +
                $"in a file of {new FileInfo(path).Length:N0} bytes: damaged or not a state dict.", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path} cannot be read as a PyTorch state dict (truncated, damaged or another format): {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/>'s state dict atomically: safetensors for a <c>.safetensors</c> path, else
    /// PyTorch's zip format (<c>torch.load</c> reads it).
    /// </summary>
    public static void Save(nn.Module model, string path)
    {
        using var buffer = new MemoryStream();
        if (IsSafetensors(path)) Safetensors.SaveStateDict(buffer, model.state_dict(), leaveOpen: true);
        else PyTorchPickler.PickleStateDict(buffer, model.state_dict(), leaveOpen: true);
        AtomicFile.WriteAllBytes(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// Compares a state dict's keys and shapes with <paramref name="model"/>'s. A batch norm's
    /// <c>num_batches_tracked</c> counter may be absent, as in checkpoints older than PyTorch 0.4.1 (PyTorch
    /// accepts those too); it then keeps its value.
    /// </summary>
    internal static StateDictComparison Compare(nn.Module model, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var own = model.state_dict();
        var mismatched = own.Where(kv => stateDict.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => (kv.Key, kv.Value.shape, stateDict[kv.Key].shape))
            .ToList();
        return new StateDictComparison(
            own.Keys.Where(k => !stateDict.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList(),
            stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList(),
            mismatched,
            own.Count(kv => stateDict.TryGetValue(kv.Key, out var t) && t.shape.SequenceEqual(kv.Value.shape)));
    }

    /// <summary>
    /// Copies a state dict's tensors into <paramref name="model"/>. Strict: every key must match in name and
    /// shape, else nothing is copied. Not strict: the keys that match are copied, the rest reported. Keys of
    /// older checkpoints are renamed first (<see cref="ImageClassifier.CurrentKeyName"/>).
    /// </summary>
    /// <param name="model">The model to fill.</param>
    /// <param name="stateDict">The tensors by key.</param>
    /// <param name="strict">Whether any difference is an error.</param>
    /// <param name="source">What the state dict came from, for messages.</param>
    /// <exception cref="StateDictMismatchException">Strict, and the keys or shapes differ.</exception>
    internal static StateDictComparison LoadInto(nn.Module model, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, string source = "the state dict")
    {
        if (model is ImageClassifier classifier)
            stateDict = stateDict.ToDictionary(kv => classifier.CurrentKeyName(kv.Key), kv => kv.Value);
        var comparison = Compare(model, stateDict);
        if (strict && !comparison.IsExact) throw new StateDictMismatchException(source, model.GetName(), comparison);
        using var noGrad = torch.no_grad();
        foreach (var (key, target) in model.state_dict())
            if (stateDict.TryGetValue(key, out var value) && value.shape.SequenceEqual(target.shape))
                target.copy_(value);
        return comparison;
    }

    /// <summary>
    /// Loads a <c>.pth</c> or <c>.safetensors</c> state dict file (e.g. written by <see cref="Save"/>) into
    /// <paramref name="model"/>: every key must match in name and shape, else nothing is copied.
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be read.</exception>
    /// <exception cref="UserErrorException">The keys or shapes differ; the message names the differences.</exception>
    public static void LoadWeights(this nn.Module model, string path) => LoadWeights(model, path, strict: true);

    /// <summary>Loads a <c>.pth</c> or <c>.safetensors</c> state dict file into <paramref name="model"/>; see <see cref="LoadInto"/>.</summary>
    /// <exception cref="InvalidDataException">The file cannot be read.</exception>
    /// <exception cref="StateDictMismatchException">Strict, and the keys or shapes differ.</exception>
    internal static StateDictComparison LoadWeights(this nn.Module model, string path, bool strict)
    {
        var stateDict = Read(path);
        try
        {
            return LoadInto(model, stateDict, strict, path);
        }
        finally
        {
            foreach (var tensor in stateDict.Values) tensor.Dispose();
        }
    }

    static bool IsSafetensors(string path) => Path.GetExtension(path).Equals(".safetensors", StringComparison.OrdinalIgnoreCase);

    static Dictionary<string, Tensor> ReadPickle(string path)
    {
        using var stream = File.OpenRead(path);
        var table = PyTorchUnpickler.UnpickleStateDict(stream);
        foreach (var wrapper in new[] { "state_dict", "model" })
            if (table[wrapper] is Hashtable inner) table = inner;
        var tensors = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in table)
            if (entry.Key is string key && entry.Value is Tensor tensor) tensors[key] = tensor;
        if (tensors.Count == 0) throw new InvalidDataException($"{path} holds no tensors: it is not a state dict.");
        return tensors;
    }

    /// <summary>Checks the header against the file length first: PyBridge would read a truncated file silently.</summary>
    static Dictionary<string, Tensor> ReadSafetensors(string path)
    {
        var length = new FileInfo(path).Length;
        using (var stream = File.OpenRead(path))
        {
            var prefix = new byte[8];
            stream.ReadExactly(prefix);
            var headerLength = BitConverter.ToInt64(prefix);
            if (headerLength <= 0 || 8 + headerLength > length)
                throw new InvalidDataException($"{path}: the safetensors header claims {headerLength} bytes but the file has {length}.");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            using var json = JsonDocument.Parse(header);
            var dataEnd = json.RootElement.EnumerateObject()
                .Where(p => p.Name != "__metadata__")
                .Select(p => p.Value.GetProperty("data_offsets")[1].GetInt64())
                .DefaultIfEmpty(0)
                .Max();
            if (8 + headerLength + dataEnd > length)
                throw new InvalidDataException($"{path} is truncated: its tensors need {8 + headerLength + dataEnd} bytes, the file has {length}.");
        }
        return Safetensors.LoadStateDict(path);
    }
}
