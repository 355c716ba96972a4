using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnSentinel.Models;

/// <summary>
/// A network's convolutional part computed at a finer output stride than its own, by the "à trous" (hole) rewrite: every
/// convolution or pooling that would take the map below <see cref="OutputStride"/> keeps stride 1 instead, and every
/// later one spreads its taps (dilation) by the downsampling skipped so far, with its padding scaled alike.
/// </summary>
/// <remarks>
/// <para>
/// Dense classification needs the feature map at the step between the windows (8 px) while ResNet18's is every 32 px.
/// Shift-and-stitch gets there by running the whole network once per offset (16 times at 8 px); the rewrite runs the
/// early stages once and only the later ones on the finer grid: in <c>bench scene-scale</c> (13-band ResNet18, stride 8,
/// float32) the network's time fell 4.5× on a 512² scene and 6–7× on a 2048² one, for 2.6× fewer FLOPs.
/// </para>
/// <para>
/// The result is the same computation, not an approximation: cell <c>(i·s, j·s)</c> of the map at output stride
/// <c>native / s</c> equals cell <c>(i, j)</c> of the network's own map (zero padding included), and the cells between
/// are the map of the input shifted by that many output strides, as shift-and-stitch computes them away from the edges.
/// The layers' own modules run, with their stride, dilation and padding changed for the call and put back after it;
/// nothing is copied.
/// </para>
/// <para>
/// Supported: chains and <see cref="Sequential"/>s of <see cref="Conv2d"/> and <see cref="MaxPool2d"/> with square,
/// undilated kernels, residual blocks (<see cref="ResidualBlock"/>) and point-wise steps (batch norm, ReLU, dropout,
/// input normalisation): ResNets, also behind a band adapter, and VGG16's features. Other networks (DenseNet201's
/// average-pooling transitions) get null from <see cref="For"/>, and dense classification shifts and stitches them
/// instead.
/// </para>
/// </remarks>
internal sealed class AtrousFeatures
{
    /// <summary>How a sliding step runs in the rewrite: stride 1, its taps <see cref="Dilation"/> apart, <see cref="Padding"/> on each side.</summary>
    readonly record struct Rewritten(long Dilation, long Padding);

    /// <summary>Where the map is, as the walk goes: its step in input pixels, and how far apart a step's taps must be on it.</summary>
    readonly record struct Grid(long Stride, long Dilation);

    readonly IReadOnlyList<NamedModule> _features;
    readonly Dictionary<nn.Module, Rewritten> _rewritten = new(ReferenceEqualityComparer.Instance);

    AtrousFeatures(IReadOnlyList<NamedModule> features, int outputStride)
    {
        _features = features;
        OutputStride = outputStride;
    }

    /// <summary>The step of the rewritten feature map, in input pixels.</summary>
    public int OutputStride { get; }

    /// <summary>
    /// The rewrite of <paramref name="features"/> (a network's convolutional part, whose own output stride is
    /// <paramref name="nativeStride"/>) at <paramref name="outputStride"/>; null where the steps are not all of the
    /// supported kinds or the stride is not one the network passes through (e.g. 8 and 16 for ResNet18, not 12).
    /// </summary>
    public static AtrousFeatures? For(IReadOnlyList<NamedModule> features, int nativeStride, int outputStride)
    {
        if (outputStride < 1 || outputStride >= nativeStride || nativeStride % outputStride != 0) return null;
        var rewrite = new AtrousFeatures(features, outputStride);
        return rewrite.Walk(features.Select(step => (nn.Module)step.Module), new Grid(1, 1)) is { } end
            && end.Stride == outputStride && end.Stride * end.Dilation == nativeStride
            ? rewrite
            : null;
    }

    /// <summary>The feature map of <paramref name="input"/> (already normalised) at <see cref="OutputStride"/>.</summary>
    public Tensor FeatureMap(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var step in _features) x = Run(step.Module, x);
        return (ReferenceEquals(x, input) ? input.alias() : x).MoveToOuterDisposeScope();
    }

    Tensor Run(nn.Module module, Tensor x) => module switch
    {
        Conv2d conv when _rewritten.TryGetValue(conv, out var r) => Rewired(conv, r, x),
        MaxPool2d pool when _rewritten.TryGetValue(pool, out var r) => Rewired(pool, r, x),
        ResidualBlock block => block.Forward(x, Run),
        Sequential sequence => sequence.children().Aggregate(x, (t, child) => Run(child, t)),
        nn.Module<Tensor, Tensor> other => other.call(x),
        _ => throw new InvalidOperationException($"{module.GetName()} is not a tensor-to-tensor step."),
    };

    // A rewritten step still runs through its own module, its settings changed for that call only, so that forward hooks
    // (bench scene-scale's FLOP count) see it as any other step.
    static Tensor Rewired(Conv2d conv, Rewritten r, Tensor x)
    {
        var (stride, dilation, padding) = (conv.stride, conv.dilation, conv.padding);
        conv.stride = [1, 1];
        conv.dilation = [r.Dilation, r.Dilation];
        conv.SetPadding([r.Padding, r.Padding]);
        try { return conv.call(x); }
        finally
        {
            conv.stride = stride;
            conv.dilation = dilation;
            conv.SetPadding(padding!); // rewritten only with explicit padding (Step checks padding_type)
        }
    }

    static Tensor Rewired(MaxPool2d pool, Rewritten r, Tensor x)
    {
        var (stride, dilation, padding) = (pool.stride, pool.dilation, pool.padding);
        pool.stride = [1, 1];
        pool.dilation = [r.Dilation, r.Dilation];
        // libtorch caps a pooling's padding at half its kernel, dilation or not, so the scaled padding is added first (−∞, as pooling pads).
        pool.padding = [0, 0];
        try { return pool.call(F.pad(x, [r.Padding, r.Padding, r.Padding, r.Padding], value: double.NegativeInfinity)); }
        finally
        {
            pool.stride = stride;
            pool.dilation = dilation;
            pool.padding = padding;
        }
    }

    /// <summary>Follows the grid through <paramref name="modules"/> in order, noting the steps to rewrite; null where one is not supported.</summary>
    Grid? Walk(IEnumerable<nn.Module> modules, Grid grid)
    {
        foreach (var module in modules)
        {
            if (Step(module, grid) is not { } next) return null;
            grid = next;
        }
        return grid;
    }

    Grid? Step(nn.Module module, Grid grid) => module switch
    {
        Conv2d conv => Sliding(conv, conv.kernel_size, conv.stride, conv.padding_type is null ? conv.padding : null, conv.dilation, grid),
        MaxPool2d pool => pool.ceil_mode ? null : Sliding(pool, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? [0], pool.dilation ?? [1], grid),
        // Both paths of a block start from its input and must end on the same grid to be summed.
        ResidualBlock block => Walk(block.ResidualPath.Select(step => (nn.Module)step.Module), grid) is { } residual
            && (block.Downsample is { } shortcut ? Step(shortcut.Module, grid) : grid) == residual
            && Step(block.Activation.Module, residual) is { } after ? after : null,
        Sequential sequence => Walk(sequence.children(), grid),
        BatchNorm2d or ScalarSafeBatchNorm2d or ReLU or Dropout or Dropout2d or Identity or InputNormalization => grid,
        _ => null,
    };

    /// <summary>
    /// A convolution or pooling: unchanged while the map is still coarser than the output stride allows; past that, stride 1
    /// with its taps as far apart as the skipped downsampling (its own stride joins the dilation of the steps after it).
    /// </summary>
    Grid? Sliding(nn.Module module, long[] kernel, long[] stride, long[]? padding, long[] dilation, Grid grid)
    {
        if (padding is null || !Square(kernel) || !Square(stride) || !Square(padding) || !Square(dilation) || dilation[0] != 1) return null;
        long s = stride[0];
        if (grid.Dilation == 1 && grid.Stride * s <= OutputStride) return grid with { Stride = grid.Stride * s };
        if (grid.Stride != OutputStride) return null; // the output stride falls inside this step's stride (e.g. 8 across a stride of 4)
        _rewritten[module] = new Rewritten(grid.Dilation, padding[0] * grid.Dilation);
        return grid with { Dilation = grid.Dilation * s };
    }

    static bool Square(long[] values) => values.Length is 1 or 2 && values.All(v => v == values[0]);
}
