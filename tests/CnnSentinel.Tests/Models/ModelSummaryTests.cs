using CnnSentinel.Models;
using TorchSharp;

namespace CnnSentinel.Tests.Models;

/// <summary>The summary counts what the literature counts.</summary>
public class ModelSummaryTests
{
    [Fact]
    public void ResNet18AtImageNetSizeHasItsKnownParametersAndFlops()
    {
        using var model = ResNet.ResNet18(1000);
        var summary = ModelSummary.Of(model, 3, 224, 224);
        Assert.Equal(11_689_512, summary.TotalParameters); // torchvision's figure
        Assert.InRange(summary.TotalFlops / 2 / 1e9, 1.80, 1.83); // 1.81 G multiply-adds
        Assert.Equal(summary.TotalParameters, summary.Rows.Sum(r => r.Parameters));
        var first = summary.Rows[0];
        Assert.Equal(("conv1", "Conv2d"), (first.Layer, first.Type));
        Assert.Equal([1L, 64L, 112L, 112L], first.OutputShape);
        Assert.Equal([1L, 1000L], summary.Rows[^1].OutputShape);
    }

    [Fact]
    public void TrainableCountsFollowFreezingAndTheTableRenders()
    {
        using var model = new SmallCnn(10, bands: 13);
        model.Freeze();
        model.Unfreeze("classifier");
        var summary = ModelSummary.Of(model, 13, 64, 64);
        Assert.Equal(256 * 10 + 10, summary.TrainableParameters);
        Assert.Equal(summary.TrainableParameters, summary.Rows.Sum(r => r.TrainableParameters));
        var html = summary.ToHtml();
        Assert.Contains("<td style=\"text-align:left\">features.0</td>", html);
        Assert.Contains("<td>1 × 256 × 4 × 4</td>", html); // the last feature map; the pooling is in the forward pass
        Assert.Contains("SmallCnn on 1 × 13 × 64 × 64", summary.ToString());
    }
}
