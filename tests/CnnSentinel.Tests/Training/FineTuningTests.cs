using CnnSentinel.Models;
using CnnSentinel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

public class FineTuningTests
{
    [Fact]
    public void StageOneTrainsOnlyTheHeadAndStageTwoTheNetworkFromTheNamedLayer()
    {
        manual_seed(11);
        var images = randn(24, 3, 32, 32);
        var labels = arange(3, dtype: ScalarType.Int64).repeat(8);
        var train = new InMemoryTrainingData(images, labels, batchSize: 8);
        var model = ResNet.ResNet18(classes: 3);
        var plan = FineTuningPlan.For(model, "resnet18", "test", epochs: 1)
            .WithBoth(o => o with { Optimizer = OptimizerSpec.Sgd(0.05, 0.9) });
        Assert.Equal(["fc"], plan.FirstStageLayers);
        Assert.Equal("layer2", plan.SecondStageFrom);

        var start = ModelState.Copy(model);
        var stages = new List<Dictionary<string, Tensor>>(); // the weights at the end of each stage's (single) epoch
        var stageLabels = new List<string?>();
        var result = FineTuning.Run(model, train, train,
            plan.WithBoth(o => o with { Progress = new SynchronousProgress(p => { if (p.Completed is not null) { stages.Add(ModelState.Copy(model)); stageLabels.Add(p.Stage); } }) }));
        Assert.Equal(["stage 1", "stage 2"], stageLabels); // the two stages' progress lines read apart
        Assert.StartsWith("stage 2 · epoch 1/1", new TrainingProgress(1, 1, 1, 1, 0, 0, 0, TimeSpan.Zero) { Stage = "stage 2" }.ToString());
        var (afterFirst, afterSecond) = (stages[0], stages[1]);

        Assert.True(Same(start, afterFirst, "conv1.weight"));
        Assert.True(Same(start, afterFirst, "layer4.0.conv1.weight"));
        Assert.False(Same(start, afterFirst, "fc.weight"));
        Assert.True(Same(start, afterFirst, "bn1.running_mean")); // frozen batch norms keep their statistics

        Assert.True(Same(afterFirst, afterSecond, "conv1.weight"));
        Assert.True(Same(afterFirst, afterSecond, "layer1.0.conv1.weight"));
        Assert.False(Same(afterFirst, afterSecond, "layer2.0.conv1.weight"));
        Assert.False(Same(afterFirst, afterSecond, "fc.weight"));
        Assert.True(Same(afterFirst, afterSecond, "layer2.0.bn1.running_mean")); // batch norms stay frozen in stage 2
        Assert.True(Same(afterFirst, afterSecond, "layer2.0.bn1.weight"));
        Assert.Equal([1, 2], result.History.Select(h => h.Epoch));

        // The model ends with the better stage's weights.
        var kept = result.KeptStage == 1 ? afterFirst : afterSecond;
        Assert.Equal(result.SecondStage.BestValidationAccuracy > result.FirstStage.BestValidationAccuracy ? 2 : 1, result.KeptStage);
        foreach (var key in new[] { "fc.weight", "layer2.0.conv1.weight" }) Assert.True(Same(kept, ModelState.Copy(model), key), key);
    }

    [Fact]
    public void AMultispectralModelTrainsItsNewInputLayerFromTheStart()
    {
        var inflated = ResNet.ResNet18(classes: 3).InflateFirstConvolution();
        Assert.Equal(["conv1", "fc"], FineTuningPlan.For(inflated, "resnet18", "ms", 1).FirstStageLayers);
        var adapted = ResNet.ResNet18(classes: 3).AddBandAdapter();
        var plan = FineTuningPlan.For(adapted, "resnet18", "ms", 1);
        Assert.Equal(["adapter", "backbone.fc"], plan.FirstStageLayers);
        Assert.Equal("backbone.layer2", plan.SecondStageFrom);
    }

    static bool Same(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b, string key) => a[key].eq(b[key]).all().item<bool>();
}
