using CnnSentinel.Datasets;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CnnSentinel.Scenes;

/// <summary>
/// A classifier of square image windows (EuroSAT: 64×64) as the scene classifier needs it: the whole network for
/// <see cref="ClassificationMode.Naive"/>, and — for <see cref="ClassificationMode.Dense"/> — its convolutional part
/// and its head separately.
/// </summary>
/// <remarks>
/// Dense classification needs the split because it runs the convolutional part once over a whole block of the scene
/// and then applies the head at every window position: for a network whose head starts with global average pooling
/// (ResNet, DenseNet201, the original's VGG16 head, the scene CNN) that pooling over a window's feature map equals an
/// average pooling over the block's feature map with a kernel of <c>WindowSize / Downsampling</c>. Any other network
/// still classifies in naive mode.
/// </remarks>
public sealed class WindowModel
{
    readonly Func<Tensor, Tensor>? _whole;
    readonly Func<Tensor, Tensor>? _features;
    readonly Func<Tensor, Tensor>? _head;
    readonly Func<int, Func<Tensor, Tensor>?>? _featuresAt;
    readonly IReadOnlyList<Module> _modules;
    Device _device = CPU;
    ComputePrecision _precision = ComputePrecision.Float32;

    WindowModel(Func<Tensor, Tensor>? whole, Func<Tensor, Tensor>? features, Func<Tensor, Tensor>? head, IReadOnlyList<Module> modules,
        int downsampling, int windowSize, bool denseIsExact, Func<int, Func<Tensor, Tensor>?>? featuresAt = null)
    {
        if (windowSize <= 0) throw new ArgumentOutOfRangeException(nameof(windowSize), "The window size must be positive.");
        if (features is not null && (downsampling <= 0 || windowSize % downsampling != 0))
            throw new UserErrorException($"The window size {windowSize} must be a multiple of the features' downsampling {downsampling}.");
        _whole = whole;
        _features = features;
        _head = head;
        _featuresAt = featuresAt;
        _modules = modules;
        Downsampling = downsampling;
        WindowSize = windowSize;
        DenseIsExact = features is not null && denseIsExact;
    }

    /// <summary>How much the convolutional part shrinks each side (4 for the scene CNN, 32 for ResNet18); 0 for a naive-only model.</summary>
    public int Downsampling { get; }

    /// <summary>Side of the square window the model classifies (64 for EuroSAT).</summary>
    public int WindowSize { get; }

    /// <summary>True when the model can classify densely (it is split into a convolutional part and a head).</summary>
    public bool SupportsDense => _features is not null;

    /// <summary>
    /// True when dense classification gives exactly the naive windows' result (unpadded convolutions); false for padded
    /// networks, whose dense map differs where a lone window's zero padding meets real neighbours in the scene — the
    /// classifier then measures the agreement (<see cref="SceneClassifier.Agreement"/>).
    /// </summary>
    public bool DenseIsExact { get; }

    /// <summary>
    /// A network as a window classifier of <paramref name="windowSize"/> pixels: dense and naive modes when it is built as
    /// features → global average pooling → head (<see cref="ImageClassifier.FeatureStride"/>), naive mode otherwise.
    /// </summary>
    public static WindowModel For(ImageClassifier network, int windowSize = EuroSatDataset.PatchSize) =>
        network.FeatureStride is { } stride && windowSize % stride == 0
            ? new(network.call, network.FeatureMap, network.HeadOfPooled, [network], stride, windowSize, network.FeaturesAreShiftEquivariant, network.FeatureMapAt)
            : FromModule(network, windowSize);

    /// <summary>Any module mapping [N, C, <paramref name="windowSize"/>, <paramref name="windowSize"/>] windows to logits [N, K]: naive mode only.</summary>
    public static WindowModel FromModule(Module<Tensor, Tensor> model, int windowSize = EuroSatDataset.PatchSize) =>
        new(model.call, null, null, [model], 0, windowSize, false);

    /// <summary>A model that is <c>head(global_average_pool(features(x)))</c>: naive and dense modes.</summary>
    /// <param name="features">The convolutional part: [N, C, H, W] → [N, C', H / <paramref name="downsampling"/>, W / <paramref name="downsampling"/>].</param>
    /// <param name="head">Pooled features [N, C'] → logits [N, K].</param>
    /// <param name="downsampling">How much <paramref name="features"/> shrinks each side.</param>
    /// <param name="windowSize">Side of the windows.</param>
    /// <param name="exact">Whether the features are unpadded, so that dense equals naive (see <see cref="DenseIsExact"/>).</param>
    /// <param name="featuresAt">
    /// The convolutional part's map at a finer step than <paramref name="downsampling"/>, or null where it has none (as
    /// <see cref="ImageClassifier.FeatureMapAt"/>); without it dense mode shifts and stitches at strides below the downsampling.
    /// </param>
    public static WindowModel FromParts(Module<Tensor, Tensor> features, Module<Tensor, Tensor> head, int downsampling, int windowSize = EuroSatDataset.PatchSize,
        bool exact = true, Func<int, Func<Tensor, Tensor>?>? featuresAt = null) =>
        new(null, features.call, head.call, [features, head], downsampling, windowSize, exact, featuresAt);

    /// <summary>
    /// Side of the feature map of one window (<c>WindowSize / Downsampling</c> for "same"-padded convolutions, less
    /// for unpadded ones), found by running the convolutional part once on a window of zeros with <paramref name="bands"/> channels.
    /// </summary>
    public int FeatureWindow(int bands) => FeatureShape(bands).Window;

    /// <summary>Channels of the convolutional part's feature map (512 for ResNet18), found as <see cref="FeatureWindow"/> is.</summary>
    internal long FeatureChannels(int bands) => FeatureShape(bands).Channels;

    /// <summary>The feature map of one window of zeros, run once: its side and its channels.</summary>
    (int Window, long Channels) FeatureShape(int bands)
    {
        if (_features is null) throw new InvalidOperationException("A naive-only model has no feature map.");
        if (_featureShape is { } known) return known;
        using var noGrad = torch.no_grad();
        using var zeros = torch.zeros(1, bands, WindowSize, WindowSize);
        using var features = FeatureMap(zeros);
        if (features.shape[2] != features.shape[3] || features.shape[2] < 1)
            throw new InvalidOperationException($"The features of a {WindowSize}×{WindowSize} window are {features.shape[2]}×{features.shape[3]}; a square map is needed.");
        return (_featureShape = ((int)features.shape[2], features.shape[1])).Value;
    }

    (int Window, long Channels)? _featureShape;

    /// <summary>Logits [N, K] of windows [N, C, S, S].</summary>
    public Tensor Logits(Tensor windows) => OnDevice(windows, w => _whole is not null ? _whole(w) : _head!(_features!(w).mean([2, 3])));

    /// <summary>The convolutional part's feature map of an input of any size (dense mode).</summary>
    internal Tensor FeatureMap(Tensor input) => OnDevice(input, _features ?? throw new InvalidOperationException("A naive-only model has no feature map."));

    /// <summary>
    /// The convolutional part at a finer step than <see cref="Downsampling"/>, in one pass (<see cref="ImageClassifier.FeatureMapAt"/>);
    /// null where the network cannot be rewritten so.
    /// </summary>
    internal Func<Tensor, Tensor>? FeatureMapAt(int outputStride)
    {
        if (!_finerFeatures.TryGetValue(outputStride, out var features))
            _finerFeatures[outputStride] = features = _featuresAt?.Invoke(outputStride) is { } finer ? input => OnDevice(input, finer) : null;
        return features;
    }

    readonly Dictionary<int, Func<Tensor, Tensor>?> _finerFeatures = [];

    /// <summary>Logits [N, K] of pooled features [N, C'] (dense mode).</summary>
    internal Tensor HeadOfPooled(Tensor pooled) => OnDevice(pooled, _head ?? throw new InvalidOperationException("A naive-only model has no head of its own."));

    /// <summary>Puts the modules in evaluation mode (dropout and batch norm as at inference).</summary>
    public void Eval()
    {
        foreach (var module in _modules) module.eval();
    }

    /// <summary>Moves the modules to <paramref name="device"/>; from then on inputs are moved there and results come back on the CPU.</summary>
    /// <exception cref="UserErrorException">This machine lacks the device.</exception>
    internal void MoveTo(Device device)
    {
        _device = ComputeDevice.Require(device);
        foreach (var module in _modules) ComputeDevice.MoveTo(module, _device);
    }

    /// <summary>
    /// Converts the network's weights and buffers to <paramref name="precision"/> (once; again to change back): the
    /// windows given are then converted to it too, and the results back to float32.
    /// </summary>
    public void UsePrecision(ComputePrecision precision)
    {
        if (precision == _precision) return;
        var type = precision == ComputePrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        foreach (var module in _modules) module.to(type);
        _precision = precision;
    }

    /// <summary>
    /// <paramref name="run"/> on <paramref name="input"/> moved to the model's device and converted to its precision, the
    /// result moved back to the CPU as float32 (nothing moves or converts on the CPU in float32).
    /// </summary>
    Tensor OnDevice(Tensor input, Func<Tensor, Tensor> run)
    {
        if (_device.type == DeviceType.CPU && _precision == ComputePrecision.Float32) return run(input);
        using var scope = NewDisposeScope();
        var moved = ComputeDevice.On(input, _device);
        if (_precision == ComputePrecision.BFloat16) moved = moved.to_type(ScalarType.BFloat16);
        return run(moved).to_type(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }
}
