using CnnSentinel.Models;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>The three ways to feed 13 EuroSAT bands to an RGB network.</summary>
public class MultispectralAdaptationTests
{
    [Fact]
    public void InflatedWithZeroBandsComputesTheRgbModelOnB04B03B02()
    {
        using var rgb = Pretrained();
        using var ms = rgb.InflateFirstConvolution(zeroOtherBands: true);
        using var noGrad = torch.no_grad();
        using var image = torch.randn(2, 3, 64, 64);
        using var bands = torch.randn(2, 13, 64, 64) * 5; // other bands carry signal that must be ignored
        bands[.., 3] = image[.., 0]; // B04 red
        bands[.., 2] = image[.., 1]; // B03 green
        bands[.., 1] = image[.., 2]; // B02 blue
        using var expected = rgb.call(image);
        using var actual = ms.call(bands);
        AssertEqualUpToRounding(expected, actual);
    }

    [Fact]
    public void InflatingCarriesTheInputNormalizationOverToTheBands()
    {
        using var rgb = Pretrained();
        rgb.SetInputNormalization(new InputNormalization(new ChannelNormalization([120, 110, 100], [50, 40, 30])));
        using var ms = rgb.InflateFirstConvolution(zeroOtherBands: true);
        Assert.Equal([110f, 100f, 110f, 120f, 110f], ms.InputNormalization!.Mean.Take(5));
        Assert.Equal(40f, ms.InputNormalization.Std[12]);
        using var noGrad = torch.no_grad();
        using var image = torch.rand(1, 3, 64, 64) * 255;
        using var bands = torch.rand(1, 13, 64, 64) * 255;
        bands[.., 3] = image[.., 0];
        bands[.., 2] = image[.., 1];
        bands[.., 1] = image[.., 2];
        AssertEqualUpToRounding(rgb.call(image), ms.call(bands));
    }

    [Fact]
    public void InflatedByDefaultKeepsTheScaleOfActivations()
    {
        using var rgb = Pretrained();
        using var ms = rgb.InflateFirstConvolution();
        using var noGrad = torch.no_grad();
        using var grey = torch.randn(2, 1, 64, 64);
        using var expected = rgb.call(grey.expand(-1, 3, -1, -1));
        using var actual = ms.call(grey.expand(-1, 13, -1, -1)); // the same value in every band
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, 1e-4);
        var weight = ms.state_dict()["conv1.weight"];
        Assert.Equal([64L, 13L, 7L, 7L], weight.shape);
        Assert.True(weight[.., 3].allclose(rgb.state_dict()["conv1.weight"][.., 0] * (3.0 / 13)));
    }

    [Fact]
    public void ReplacedFirstConvolutionIsNewAndEverythingElsePretrained()
    {
        using var rgb = Pretrained();
        using var ms = rgb.ReplaceFirstConvolution(13);
        var source = rgb.state_dict();
        foreach (var (key, value) in ms.state_dict())
        {
            if (key == "conv1.weight") Assert.Equal([64L, 13L, 7L, 7L], value.shape);
            else Assert.True(value.allclose(source[key], rtol: 0, atol: 0), key);
        }
        using var noGrad = torch.no_grad();
        Assert.Equal([2L, 10L], ms.call(torch.randn(2, 13, 64, 64)).shape);
    }

    [Fact]
    public void BandAdapterPutsAOneByOneConvolutionInFrontOfTheWholeNetwork()
    {
        using var rgb = Pretrained();
        using var ms = rgb.AddBandAdapter();
        Assert.Same(rgb, ms.Backbone);
        Assert.Equal("adapter", ms.FirstConvolutionName);
        Assert.Equal([3L, 13L, 1L, 1L], ms.state_dict()["adapter.weight"].shape);
        Assert.Contains("backbone.conv1.weight", ms.state_dict().Keys);
        using var noGrad = torch.no_grad();
        Assert.Equal([2L, 10L], ms.call(torch.randn(2, 13, 64, 64)).shape);
    }

    [Fact]
    public void BandIndicesThatDoNotFitAreRejected()
    {
        using var rgb = Pretrained();
        Assert.Throws<ArgumentException>(() => rgb.InflateFirstConvolution(13, rgbBands: [3, 2]));
        Assert.Throws<ArgumentException>(() => rgb.InflateFirstConvolution(13, rgbBands: [3, 2, 13]));
        Assert.Throws<ArgumentException>(() => rgb.InflateFirstConvolution(13, rgbBands: [3, 3, 1]));
    }

    /// <summary>
    /// The zero filters contribute exact zeros; what remains is float32 rounding, because libtorch's convolution
    /// sums 13 input channels in another order than 3 (measured: 5e-7 on logits of about 1; 2e-15 in float64).
    /// </summary>
    static void AssertEqualUpToRounding(Tensor expected, Tensor actual)
    {
        var scale = Math.Max(1, expected.abs().max().item<float>());
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, 1e-5 * scale);
    }

    /// <summary>A ResNet18 standing in for a pretrained one: random weights and batch-norm statistics, eval mode.</summary>
    static ResNet Pretrained()
    {
        torch.manual_seed(1);
        var model = ResNet.ResNet18(10);
        using (torch.no_grad())
            foreach (var (key, value) in model.state_dict())
                if (key.EndsWith("running_mean", StringComparison.Ordinal)) value.normal_(0, 0.1);
        model.eval();
        return model;
    }
}
