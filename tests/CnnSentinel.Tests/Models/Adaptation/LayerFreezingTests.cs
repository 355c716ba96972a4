using CnnSentinel.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

/// <summary>Freezing by layer name, and frozen batch norms that keep their statistics in train mode.</summary>
public class LayerFreezingTests
{
    [Fact]
    public void UnfreezeFromBlock2LeavesVggBlock1Frozen()
    {
        using var model = new Vgg16(10);
        model.UnfreezeFrom("features.5");
        var trainable = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.requires_grad);
        Assert.False(trainable["features.0.weight"]);
        Assert.False(trainable["features.2.bias"]);
        Assert.True(trainable["features.5.weight"]);
        Assert.True(trainable["classifier.4.weight"]);
        Assert.Equal(64 * 3 * 9 + 64 + 64 * 64 * 9 + 64, model.CountParameters() - model.CountParameters(trainableOnly: true));
    }

    [Fact]
    public void FrozenBatchNormsKeepTheirStatisticsInTrainMode()
    {
        using var model = ResNet.ResNet18(10);
        model.Freeze();
        model.Unfreeze("fc");
        model.train();
        var before = model.state_dict()["layer1.0.bn1.running_mean"].clone();
        using (var output = model.call(torch.randn(4, 3, 64, 64) * 3 + 1)) { }
        Assert.True(model.state_dict()["layer1.0.bn1.running_mean"].allclose(before, rtol: 0, atol: 0));
        Assert.Equal(10 * 512 + 10, model.CountParameters(trainableOnly: true));

        model.Unfreeze();
        model.train();
        using (var output = model.call(torch.randn(4, 3, 64, 64) * 3 + 1)) { }
        Assert.False(model.state_dict()["layer1.0.bn1.running_mean"].allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void ATrainingStepChangesOnlyTrainableParameters()
    {
        using var model = ResNet.ResNet18(10, bands: 13);
        model.Freeze();
        model.Unfreeze("conv1", "fc");
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        model.train();
        using var optimizer = torch.optim.SGD(model.parameters().Where(p => p.requires_grad), learningRate: 0.1);
        using (var loss = nn.functional.cross_entropy(model.call(torch.randn(4, 13, 64, 64)), torch.tensor(new long[] { 0, 1, 2, 3 })))
            loss.backward();
        optimizer.step();
        var changed = model.state_dict().Where(kv => !kv.Value.allclose(before[kv.Key], rtol: 0, atol: 0)).Select(kv => kv.Key).Order();
        Assert.Equal(["conv1.weight", "fc.bias", "fc.weight"], changed);
    }

    [Fact]
    public void DenseNetStageTwoFreezesOnlyTheStem()
    {
        using var model = new DenseNet201(10);
        model.UnfreezeFrom("features.denseblock1");
        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Equal(["features.conv0.weight", "features.norm0.weight", "features.norm0.bias"], frozen);
    }

    [Fact]
    public void AnUnknownLayerIsNamedWithTheModelsLayers()
    {
        using var model = ResNet.ResNet18(10);
        var error = Assert.Throws<ArgumentException>(() => model.Freeze("block2"));
        Assert.Contains("\"block2\"", error.Message);
        Assert.Contains("conv1, bn1, relu, maxpool, layer1", error.Message);
        Assert.Throws<ArgumentException>(() => model.Freeze("layer")); // a prefix must end at a dot
    }
}
