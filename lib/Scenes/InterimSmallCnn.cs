using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CnnSentinel.Scenes;

/// <summary>
/// A small CNN for 64×64 windows — conv 3×3 32 → ReLU → max-pool → conv 3×3 64 → ReLU → max-pool → conv 3×3 128
/// → global average pooling → linear — split the way <see cref="WindowModel"/> needs it (downsampling 4).
/// Scene classification, its tests, the benchmark and the command line use it until the model builders merge.
/// </summary>
/// <remarks>
/// The convolutions are "valid" (no padding) by default: then a window's feature map (12 × 12) is exactly a crop
/// of the scene's, and dense classification equals the naive reference up to rounding. With "same" padding
/// (<c>samePadding: true</c>, Keras' and most models' choice) each lone window sees zeros beyond its border where
/// the scene has real neighbours, and dense labels differ from naive ones near those decisions.
/// </remarks>
// TODO(merge): use lib/Models/SmallCnn (and its checkpoint format) instead of this interim copy.
public static class InterimSmallCnn
{
    /// <summary>Features (convolutions) and head (linear) of a fresh model with weights drawn from <paramref name="seed"/>.</summary>
    /// <param name="bands">Input channels (3 for RGB, 13 for EuroSAT MS).</param>
    /// <param name="classes">Output classes (10 for EuroSAT).</param>
    /// <param name="seed">Seed of the random initial weights.</param>
    /// <param name="samePadding">Pad the convolutions by 1 (feature map 16 × 16) instead of not at all (12 × 12).</param>
    public static WindowModel Create(int bands, int classes = 10, long seed = 42, bool samePadding = false)
    {
        torch.manual_seed(seed);
        int padding = samePadding ? 1 : 0;
        var features = Sequential(
            ("conv1", Conv2d(bands, 32, 3, padding: padding)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
            ("conv2", Conv2d(32, 64, 3, padding: padding)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
            ("conv3", Conv2d(64, 128, 3, padding: padding)));
        var head = Sequential(("fc", Linear(128, classes)));
        // torchvision's VGG initialisation (He-normal convolutions, small normal linear, zero biases): with PyTorch's
        // default initialisation the activations shrink layer by layer and random logits are nearly all bias, so a
        // random model's labels would hinge on rounding-level differences.
        using (no_grad())
        {
            foreach (var conv in features.modules().OfType<TorchSharp.Modules.Conv2d>())
            {
                init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                init.zeros_(conv.bias);
            }
            foreach (var linear in head.modules().OfType<TorchSharp.Modules.Linear>())
            {
                init.normal_(linear.weight, 0, 0.01);
                init.zeros_(linear.bias);
            }
        }
        return WindowModel.FromParts(features, head, downsampling: 4);
    }

    /// <summary>
    /// Loads weights saved by <see cref="Save"/> (TorchSharp format) into a model of that shape.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static WindowModel Load(string path, int bands, int classes = 10)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: {path}", path);
        var model = Create(bands, classes);
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            model.Features!.load(reader);
            model.Head!.load(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{path}: not weights of the interim small CNN for {bands} bands and {classes} classes ({e.Message}).", e);
        }
        return model;
    }

    /// <summary>Saves the weights of a model made by <see cref="Create"/> (features, then head).</summary>
    public static void Save(WindowModel model, string path)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            model.Features!.save(writer);
            model.Head!.save(writer);
        }
        IO.AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }
}
