using CnnSentinel.Models;
using CnnSentinel.Training;
using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Runtime;

/// <summary>The channels-last layout: strides, a classifier's convolutions computing in it, weights laid out and back.</summary>
public class ChannelsLastTests
{
    [Fact]
    public void ABatchLaidOutChannelsLastHasItsStridesAndTheSameValues()
    {
        using var scope = NewDisposeScope();
        var images = rand(2, 3, 5, 7);
        var laid = ChannelsLast.Of(images);
        // torch.channels_last strides of a 2 × 3 × 5 × 7 tensor: H·W·C, 1, W·C, C.
        Assert.Equal([105L, 1, 21, 3], laid.stride());
        Assert.True(ChannelsLast.Has(laid));
        Assert.False(ChannelsLast.Has(images));
        Assert.Equal(images.shape, laid.shape);
        Assert.Equal(0f, (laid - images).abs().max().item<float>());
        Assert.Same(laid, ChannelsLast.Of(laid));
        var vectors = rand(4, 3);
        Assert.Same(vectors, ChannelsLast.Of(vectors));
    }

    /// <summary>
    /// In bfloat16 the classifier lays its input out channels-last once and the layout carries to its last convolution;
    /// its logits are as close to float32's as those of the same bfloat16 network in the standard layout. float32 stays
    /// in the standard layout (the remarks of <see cref="ChannelsLast"/> say why).
    /// </summary>
    [Fact]
    public void InBFloat16AClassifiersConvolutionsComputeChannelsLastAsAccuratelyAsInTheStandardLayout()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var model = ModelCatalog.Create("resnet18", 10, 3);
        model.eval();
        var convolutions = model.modules().OfType<Conv2d>().ToList();
        var seen = new List<bool>();
        var hooks = new[] { convolutions[0], convolutions[^1] }
            .Select(conv => conv.register_forward_pre_hook((_, input) => { seen.Add(ChannelsLast.Has(input)); return input; })).ToList();
        var images = rand(8, 3, 64, 64) * 255;
        using var noGrad = no_grad();

        var float32 = model.forward(images);
        Assert.Equal([false, false], seen);

        // Every layer but the batch norms in bfloat16, as the trainer's mixed precision has it.
        foreach (var layer in model.modules().Where(m => !m.children().Any() && m is not BatchNorm)) layer.to(ScalarType.BFloat16);
        var reduced = images.to_type(ScalarType.BFloat16);
        seen.Clear();
        var channelsLast = model.forward(reduced).to_type(ScalarType.Float32);
        Assert.Equal([true, true], seen);
        seen.Clear();
        var standard = NamedModule.Chain(model.StepsFromInput(), reduced).to_type(ScalarType.Float32);
        Assert.Equal([false, false], seen);
        foreach (var hook in hooks) hook.remove();

        double errorChannelsLast = (channelsLast - float32).abs().max().item<float>(), errorStandard = (standard - float32).abs().max().item<float>();
        double largest = float32.abs().max().item<float>();
        // bfloat16 keeps 8 significant bits: both are off float32 by about a percent of the largest logit.
        Assert.True(errorStandard <= 0.05 * largest, $"the standard layout's bfloat16 logits are off float32 by {errorStandard} (largest {largest})");
        Assert.True(errorChannelsLast <= 1.5 * errorStandard,
            $"channels-last bfloat16 logits are off float32 by {errorChannelsLast}, the standard layout's by {errorStandard} (largest {largest})");
    }

    /// <summary>
    /// Only ResNet18, whose every convolution shape the theory below checks, computes channels-last in bfloat16; the others
    /// keep the standard layout (ResNet50's 1 × 1 convolution from 256 to 1024 channels channels-last kills the process
    /// with a floating-point exception on this libtorch). Each gives float32's logits within bfloat16's rounding.
    /// </summary>
    [Theory]
    [InlineData("resnet18", true)]
    [InlineData("resnet18-imagenet", true)]
    [InlineData("resnet50", false)]
    [InlineData("densenet201", false)]
    [InlineData("vgg16", false)]
    [InlineData("scenecnn", false)]
    [InlineData("smallcnn", false)]
    public void InBFloat16OnlyNetworksWhoseShapesAreCheckedComputeChannelsLast(string architecture, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = ModelCatalog.Create(architecture, 10, 3);
        model.eval();
        bool? seen = null;
        var hook = model.modules().OfType<Conv2d>().First().register_forward_pre_hook((_, input) => { seen = ChannelsLast.Has(input); return input; });
        var images = rand(2, 3, 64, 64) * 255;
        using var noGrad = no_grad();
        var float32 = model.forward(images);
        model.to(ScalarType.BFloat16);
        var reduced = model.forward(images.to_type(ScalarType.BFloat16)).to_type(ScalarType.Float32);
        hook.remove();
        Assert.Equal(channelsLast, seen);
        double error = (reduced - float32).abs().max().item<float>(), largest = float32.abs().max().item<float>();
        Assert.True(error <= 0.1 * largest, $"{architecture}: bfloat16 logits off float32's by {error} (largest {largest})");
    }

    /// <summary>
    /// Every convolution shape of ResNet18 on 64 × 64 windows (and its 13-band first layer), in bfloat16: channels-last
    /// output and weight gradient are as close to float64's as the standard layout's. The guard for a libtorch whose
    /// channels-last kernels go wrong, as this one's float32 1 × 1 stride-2 convolutions to 512 channels do.
    /// </summary>
    [Theory]
    [InlineData(3, 64, 64, 7, 2, 3)]
    [InlineData(13, 64, 64, 7, 2, 3)]
    [InlineData(64, 64, 16, 3, 1, 1)]
    [InlineData(64, 128, 16, 3, 2, 1)]
    [InlineData(64, 128, 16, 1, 2, 0)]
    [InlineData(128, 128, 8, 3, 1, 1)]
    [InlineData(128, 256, 8, 3, 2, 1)]
    [InlineData(128, 256, 8, 1, 2, 0)]
    [InlineData(256, 256, 4, 3, 1, 1)]
    [InlineData(256, 512, 4, 3, 2, 1)]
    [InlineData(256, 512, 4, 1, 2, 0)]
    [InlineData(512, 512, 2, 3, 1, 1)]
    public void BFloat16ConvolutionsAreAsAccurateChannelsLast(int inputs, int outputs, int size, int kernel, int stride, int padding)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var images = randn([4, inputs, size, size], ScalarType.Float64, generator: generator);
        var weight = randn([outputs, inputs, kernel, kernel], ScalarType.Float64, generator: generator) / Math.Sqrt(inputs * kernel * kernel);
        int outSize = (size + 2 * padding - kernel) / stride + 1;
        var upstream = randn([4, outputs, outSize, outSize], ScalarType.Float64, generator: generator);
        var (exact, exactGradient) = Convolve(images, weight, false, ScalarType.Float64);
        var (standard, standardGradient) = Convolve(images, weight, false, ScalarType.BFloat16);
        var (laid, laidGradient) = Convolve(images, weight, true, ScalarType.BFloat16);
        // bfloat16 keeps 8 significant bits: both are off float64 by a few thousandths of the largest value.
        AssertAsClose(laid, standard, exact, "output");
        AssertAsClose(laidGradient, standardGradient, exactGradient, "weight gradient");

        (Tensor Output, Tensor WeightGradient) Convolve(Tensor x, Tensor w, bool channelsLast, ScalarType type)
        {
            x = x.to_type(type);
            w = w.to_type(type);
            if (channelsLast) (x, w) = (ChannelsLast.Of(x), ChannelsLast.Of(w));
            w = w.detach().requires_grad_(true);
            var y = nn.functional.conv2d(x, w, null, [stride, stride], [padding, padding]);
            y.backward([upstream.to_type(type)]);
            return (y.detach().to_type(ScalarType.Float64), w.grad!.to_type(ScalarType.Float64));
        }

        static void AssertAsClose(Tensor laid, Tensor standard, Tensor exact, string what)
        {
            double largest = exact.abs().max().item<double>();
            double errorLaid = (laid - exact).abs().max().item<double>() / largest, errorStandard = (standard - exact).abs().max().item<double>() / largest;
            Assert.True(errorStandard <= 0.01, $"{what}: the standard layout is off float64 by {errorStandard:e2} of the largest value");
            Assert.True(errorLaid <= 1.5 * errorStandard, $"{what}: channels-last is off float64 by {errorLaid:e2}, the standard layout by {errorStandard:e2}");
        }
    }

    [Fact]
    public void WeightsLaidOutAndBackKeepTheirParametersAndValuesAndSave()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = ModelCatalog.Create("resnet18", 10, 3);
        var parameters = model.parameters().ToList();
        var before = ModelState.Copy(model);

        ChannelsLast.ApplyToWeights(model);
        var convolutionWeights = model.modules().OfType<Conv2d>().Select(c => c.weight!).ToList();
        Assert.All(convolutionWeights, w => Assert.True(ChannelsLast.Has(w) || w.shape[2] * w.shape[3] == 1));
        Assert.Contains(convolutionWeights, w => !w.is_contiguous());
        ChannelsLast.RestoreWeights(model);

        Assert.Equal(parameters, model.parameters().ToList());
        Assert.All(convolutionWeights, w => Assert.True(w.is_contiguous()));
        foreach (var (name, value) in model.state_dict())
            Assert.Equal(0.0, (value.to_type(ScalarType.Float64) - before[name].to_type(ScalarType.Float64)).abs().max().item<double>());
        // TorchSharp writes contiguous tensors only: restored weights save.
        var path = Path.Combine(TestEnvironment.NewTempDirectory("channels-last"), "state.safetensors");
        StateDictFile.Save(model, path);
        ModelState.Dispose(before);
    }
}
