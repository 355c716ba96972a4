using CnnSentinel.Models;
using CnnSentinel.Training;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

public class TrainingRecipeTests
{
    [Theory]
    [InlineData("fast", "fast")]
    [InlineData("ORIGINAL", "original")]
    public void RecipesAreChosenByName(string asked, string expected) => Assert.Equal(expected, TrainingRecipe.Named(asked).Name);

    [Fact]
    public void AnUnknownRecipeListsTheKnownOnes()
    {
        var error = Assert.Throws<UserErrorException>(() => TrainingRecipe.Named("quick"));
        Assert.Contains("original or fast", error.Message);
    }

    [Fact]
    public void TheFastRecipeIsFullFineTuningWithWarmupCosineSmoothingAndDihedralViews()
    {
        var fast = TrainingRecipe.Fast;
        var options = fast.SingleStageOptions("resnet18-imagenet", "rgb_fast");
        Assert.Equal("adamw", options.Optimizer.Name);
        Assert.Equal(0.1, options.LabelSmoothing);
        Assert.Equal(fast.Epochs, options.Epochs);
        Assert.Equal(0.5 / fast.WarmupEpochs, options.Schedule.FactorFor(0, 0.5), 9);
        Assert.Equal(1.0, options.Schedule.FactorFor((int)fast.WarmupEpochs), 9);
        Assert.Equal(0.0, options.Schedule.FactorFor(fast.Epochs), 9);
        Assert.Same(AugmentationPolicy.Dihedral, fast.Augmentation);
        Assert.True(fast.TestTimeAugmentation);
        Assert.False(TrainingRecipe.Original.TestTimeAugmentation);
    }

    [Fact]
    public void TheFastRecipeTrainsEveryLayerAndTheOriginalStartsWithTheHeadAlone()
    {
        manual_seed(5);
        var images = randn(32, 3, 64, 64);
        var labels = randint(0, 10, [32], dtype: ScalarType.Int64);
        var data = new InMemoryTrainingData(images, labels, 16);
        var fast = new SmallCnn(10, 3);
        fast.Freeze();
        var history = (TrainingRecipe.Fast with { Epochs = 2 }).Train(fast, data, data, "smallcnn", "test");
        Assert.Equal(2, history.Count);
        Assert.All(fast.parameters(), p => Assert.True(p.requires_grad));

        var original = new SmallCnn(10, 3);
        var firstStageTrainable = new List<bool>();
        var plan = (TrainingRecipe.Original with { Epochs = 1 }).Train(original, data, data, "smallcnn", "test",
            change: o => o with { Progress = new SynchronousProgress(p => { if (firstStageTrainable.Count == 0) firstStageTrainable.AddRange(original.parameters().Select(q => q.requires_grad)); }) });
        Assert.Equal(2, plan.Count);
        Assert.Contains(false, firstStageTrainable);
    }
}
