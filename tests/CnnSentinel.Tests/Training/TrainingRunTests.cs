using CnnSentinel.Models;
using CnnSentinel.Training;

namespace CnnSentinel.Tests.Training;

/// <summary><see cref="TrainingRun"/>: what <c>train</c> does, called from code as a notebook calls it.</summary>
public class TrainingRunTests
{
    static TrainingRun Tiny(string output, StringWriter log) => new()
    {
        Data = PatchFixtures.BundledRgb, OutputFolder = output, Architecture = "smallcnn", Epochs = 1, StepsPerEpoch = 1, BatchSize = 8, Log = log,
    };

    [Fact]
    public void ThePlanNamesTheRunAndWritesNothing()
    {
        TestEnvironment.LoadTorch();
        var dir = TestEnvironment.NewTempDirectory();
        var plan = Tiny(dir, new StringWriter()).Plan();
        Assert.Equal("smallcnn_rgb_scratch", plan.Name);
        Assert.Null(plan.Recipe);
        Assert.Equal(Path.Combine(dir, "smallcnn_rgb_scratch.safetensors"), plan.ModelPath);
        Assert.StartsWith("smallcnn on ", plan.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void ExecuteTrainsAndWritesTheModelFileTheSplitAndACardWithoutACommand()
    {
        TestEnvironment.LoadTorch();
        var dir = TestEnvironment.NewTempDirectory();
        var log = new StringWriter();
        var result = Tiny(dir, log).Execute();
        Assert.Single(result.History);
        Assert.Equal(150, result.Evaluation.Predictions.Count);
        Assert.Equal(result.Evaluation.Confusion.OverallAccuracy, ModelFile.ReadDescription(result.Plan.ModelPath).Training!.Validation.OverallAccuracy);
        Assert.True(File.Exists(result.Plan.SplitPath));
        Assert.DoesNotContain("To reproduce", File.ReadAllText(result.Plan.CardPath));
        Assert.Contains($"model file: {result.Plan.ModelPath}", log.ToString());
    }

    [Fact]
    public void BadSettingsAreRefusedBeforeTheDataAreRead()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var run = Tiny(dir, new StringWriter()) with { Data = Path.Combine(dir, "no such folder"), Context = 2 };
        Assert.Contains("--context 2", Assert.Throws<UserErrorException>(() => run.Plan()).Message);
        Assert.Contains("--blocks 2", Assert.Throws<UserErrorException>(() => (run with { Context = null, Blocks = 2 }).Plan()).Message);
    }
}
