using CnnSentinel.Evaluation;
using CnnSentinel.Models;

namespace CnnSentinel.Tests.Evaluation;

public class ResultsTableTests
{
    [Fact]
    public void TheWilsonIntervalHasItsTextbookValues()
    {
        var (low, high) = ResultsTable.WilsonInterval(0.5, 100);
        Assert.Equal(0.4038, low, 4);
        Assert.Equal(0.5962, high, 4);
        var (zeroLow, zeroHigh) = ResultsTable.WilsonInterval(0, 10);
        Assert.Equal(0, zeroLow, 9);
        Assert.Equal(0.2775, zeroHigh, 4);
    }

    /// <summary>The recipe column of the committed runs says which trained in bfloat16, from what their descriptions record.</summary>
    [Fact]
    public void TheRecipeColumnMarksRunsTrainedInBFloat16()
    {
        var runs = ResultsTable.Read(Path.Combine(TestEnvironment.RepositoryRoot, "data", "results")).ToDictionary(r => r.Name, r => r.Description);
        Assert.Equal("fast", ResultRow.Of("float32", runs["resnet18-imagenet_rgb_fast"]).Recipe);
        Assert.Equal("fast, bfloat16 steps", ResultRow.Of("bf16", runs["resnet18-imagenet_rgb_fast-bf16"]).Recipe);
        Assert.True(runs["resnet18-imagenet_rgb_fast-bf16"].Training!.StepsInBFloat16);
        Assert.False(runs["resnet18-imagenet_rgb_fast"].Training!.StepsInBFloat16);
        Assert.EndsWith(TrainingProvenance.BFloat16Steps, runs["resnet18-imagenet_rgb_fast-bf16"].Training!.Recipe);
    }
}
