using CnnSentinel.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CnnSentinel.Scenes;

/// <summary>
/// A classifier of square image windows (EuroSAT: 64×64) as the scene classifier needs it: the whole model
/// for <see cref="ClassificationMode.Naive"/>, and — for <see cref="ClassificationMode.Dense"/> — its
/// fully convolutional part and its head separately.
/// </summary>
/// <remarks>
/// Dense classification needs the split because it runs <see cref="Features"/> once over a whole block of the
/// scene and then applies the head at every window position: for a model whose head starts with global
/// average pooling (VGG16/DenseNet heads of the original, the project's small CNN) that pooling over a
/// window's feature map equals an average pooling over the block's feature map with a kernel of
/// <c>WindowSize / Downsampling</c>. A model built any other way can still classify in naive mode.
/// </remarks>
public sealed class WindowModel
{
    readonly Module<Tensor, Tensor>? _whole;

    WindowModel(Module<Tensor, Tensor>? whole, Module<Tensor, Tensor>? features, Module<Tensor, Tensor>? head, int downsampling, int windowSize)
    {
        if (windowSize <= 0) throw new ArgumentOutOfRangeException(nameof(windowSize), "The window size must be positive.");
        if (features is not null && (downsampling <= 0 || windowSize % downsampling != 0))
            throw new ArgumentException($"The window size {windowSize} must be a multiple of the features' downsampling {downsampling}.");
        _whole = whole;
        Features = features;
        Head = head;
        Downsampling = downsampling;
        WindowSize = windowSize;
    }

    /// <summary>The fully convolutional part: [N, C, H, W] → [N, C', H / <see cref="Downsampling"/>, W / <see cref="Downsampling"/>]; null for a naive-only model.</summary>
    public Module<Tensor, Tensor>? Features { get; }

    /// <summary>The head after global average pooling: [N, C'] → class logits [N, K]; null for a naive-only model.</summary>
    public Module<Tensor, Tensor>? Head { get; }

    /// <summary>How much <see cref="Features"/> shrinks each side (4 for two 2×2 poolings, 32 for VGG16).</summary>
    public int Downsampling { get; }

    /// <summary>Side of the square window the model classifies (64 for EuroSAT).</summary>
    public int WindowSize { get; }

    /// <summary>
    /// Side of the feature map of one window (<c>WindowSize / Downsampling</c> for "same"-padded convolutions, less
    /// for unpadded ones), found by running <see cref="Features"/> once on a window of zeros with <paramref name="bands"/> channels.
    /// </summary>
    public int FeatureWindow(int bands)
    {
        if (Features is null) throw new InvalidOperationException("A naive-only model has no feature map.");
        if (_featureWindow is { } known) return known;
        using var noGrad = torch.no_grad();
        using var zeros = torch.zeros(1, bands, WindowSize, WindowSize);
        using var features = Features.call(zeros);
        if (features.shape[2] != features.shape[3] || features.shape[2] < 1)
            throw new InvalidOperationException($"The features of a {WindowSize}×{WindowSize} window are {features.shape[2]}×{features.shape[3]}; a square map is needed.");
        return (_featureWindow = (int)features.shape[2]).Value;
    }

    int? _featureWindow;

    /// <summary>True when the model can classify densely (it has <see cref="Features"/> and <see cref="Head"/>).</summary>
    public bool SupportsDense => Features is not null;

    /// <summary>Any module mapping [N, C, <paramref name="windowSize"/>, <paramref name="windowSize"/>] windows to logits [N, K]: naive mode only.</summary>
    public static WindowModel FromModule(Module<Tensor, Tensor> model, int windowSize = 64) => new(model, null, null, 0, windowSize);

    /// <summary>The library's scene CNN: naive and dense modes, dense equal to naive.</summary>
    public static WindowModel From(SceneCnn model) => FromParts(model.Features, model.Head, SceneCnn.Downsampling);

    /// <summary>A model that is <c>head(global_average_pool(features(x)))</c>: naive and dense modes.</summary>
    public static WindowModel FromParts(Module<Tensor, Tensor> features, Module<Tensor, Tensor> head, int downsampling, int windowSize = 64) =>
        new(null, features, head, downsampling, windowSize);

    /// <summary>Logits [N, K] of windows [N, C, S, S].</summary>
    public Tensor Logits(Tensor windows) =>
        _whole is not null ? _whole.call(windows) : Head!.call(Features!.call(windows).mean([2, 3]));

    /// <summary>Puts the modules in evaluation mode (dropout and batch norm as at inference).</summary>
    public void Eval()
    {
        _whole?.eval();
        Features?.eval();
        Head?.eval();
    }
}
