using CnnSentinel.Models;

namespace CnnSentinel.Tests.Training;

/// <summary>The train command: recipes by name, the model file it writes, and resumption only of the same run.</summary>
public class TrainCommandTests
{
    static readonly string Bundled = Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb");

    /// <summary>A tiny from-scratch run; <paramref name="changes"/> are option–value pairs that replace or add to its options.</summary>
    static (int Code, string Stdout, string Stderr) Train(string output, params string[] changes)
    {
        var options = new Dictionary<string, string> { ["--model"] = "smallcnn", ["--epochs"] = "1", ["--steps"] = "2", ["--batch"] = "8", ["--data"] = Bundled, ["--out"] = output };
        for (int i = 0; i < changes.Length; i += 2) options[changes[i]] = changes[i + 1];
        return ExternalTools.Capture("dotnet", [ExternalTools.Cli, "train", .. options.SelectMany(o => new[] { o.Key, o.Value })]);
    }

    [Fact]
    public void AnUnknownRecipeIsRefusedWithTheKnownOnes()
    {
        var (code, _, stderr) = Train(TestEnvironment.NewTempDirectory(), "--recipe", "quick");
        Assert.Equal(1, code);
        Assert.Contains("train: Unknown recipe 'quick': use original or fast.", stderr);
    }

    [Theory]
    [InlineData("--lr", "nan", "--lr NaN: the learning rate must be a positive number.")]
    [InlineData("--lr", "-1", "--lr -1: the learning rate must be a positive number.")]
    public void BadNumbersAreRefusedBeforeTraining(string option, string value, string message)
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (code, _, stderr) = Train(dir, option, value);
        Assert.Equal(1, code);
        Assert.Contains($"train: {message}", stderr);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void ABatchLargerThanTheTrainingImagesIsCutToThemAndRecordedSo()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (code, stdout, stderr) = Train(dir, "--batch", "100000", "--steps", "1");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("--batch 100000 is more than the 350 training images: one batch of 350 per step", stdout);
        Assert.Equal(350, ModelFile.ReadDescription(Path.Combine(dir, "smallcnn_rgb_scratch.safetensors")).Training!.BatchSize);
        var card = File.ReadAllText(Path.Combine(dir, "smallcnn_rgb_scratch.md"));
        Assert.Contains("1 epochs, batch 350, 350 training images seen", card);
        Assert.Contains("--batch 100000 --data", card); // the command as typed, which reproduces the run
    }

    [Fact]
    public void WritesAModelFileWhoseCardAgreesWithEvaluate()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (code, stdout, stderr) = Train(dir);
        Assert.True(code == 0, stdout + stderr);
        var model = Path.Combine(dir, "smallcnn_rgb_scratch.safetensors");
        var description = ModelFile.ReadDescription(model);
        Assert.Equal(["R", "G", "B"], description.Bands);
        Assert.Equal(500, description.Training!.Data.Files);
        Assert.Equal(150, description.Training.Validation.Images);
        Assert.Equal(42, description.Training.Seed);
        Assert.True(File.Exists(Path.Combine(dir, "smallcnn_rgb_scratch.description.json")));
        var card = File.ReadAllText(Path.Combine(dir, "smallcnn_rgb_scratch.md"));
        var accuracy = description.Training.Validation.OverallAccuracy.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"Overall accuracy **{accuracy}**", card);
        Assert.Contains("train --model smallcnn --epochs 1", card);

        var evaluation = ExternalTools.Run("dotnet", ExternalTools.Cli, "evaluate", "--model", model, "--data", Bundled,
            "--split", Path.Combine(dir, "smallcnn_rgb_scratch.split.csv"), "--side", "Validation");
        Assert.StartsWith($"overall accuracy {accuracy}, kappa ", evaluation.TrimEnd().Split('\n')[^1]);
        Assert.EndsWith("on 150 images", evaluation.TrimEnd());
    }

    [Fact]
    public void ContinuingAModelWithContextRecordsWhereItStartedInTheFileAndTheCard()
    {
        var first = TestEnvironment.NewTempDirectory();
        Assert.Equal(0, Train(first).Code);
        var start = Path.Combine(first, "smallcnn_rgb_scratch.safetensors");
        var dir = TestEnvironment.NewTempDirectory();
        var (code, stdout, stderr) = Train(dir, "--init", start, "--context", "0.5");
        Assert.True(code == 0, stdout + stderr);
        var description = ModelFile.ReadDescription(Path.Combine(dir, "smallcnn_rgb_scratch-continued-context.safetensors"));
        var training = description.Training!;
        Assert.Equal("smallcnn_rgb_scratch.safetensors", training.ContinuedFromFile);
        Assert.Equal(ModelFile.ReadDescription(start).Training, training.ContinuedFrom);
        Assert.Equal("scratch: smallcnn, 0.5 of the images among neighbours (context mosaic)", training.Recipe);
        var card = File.ReadAllText(Path.Combine(dir, "smallcnn_rgb_scratch-continued-context.md"));
        Assert.Contains("- Continued from `smallcnn_rgb_scratch.safetensors`, trained before by: scratch: smallcnn; 1 epochs", card);
    }

    [Theory]
    [InlineData("--seed", "7", "its split seed was 42, this run's is 7")]
    [InlineData("--data", "ms", "its bands are R,G,B, the data's B01,")]
    public void AStartingModelOfAnotherSplitIsRefusedNamingTheDifference(string option, string value, string difference)
    {
        var first = TestEnvironment.NewTempDirectory();
        Assert.Equal(0, Train(first).Code);
        var dir = TestEnvironment.NewTempDirectory();
        var (code, _, stderr) = Train(dir, "--init", Path.Combine(first, "smallcnn_rgb_scratch.safetensors"),
            option, value == "ms" ? PatchFixtures.BundledMultispectral : value);
        Assert.Equal(1, code);
        Assert.Contains("--init needs a model trained on the same data and split", stderr);
        Assert.Contains(difference, stderr);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void AContextShareOutsideZeroToOneIsRefused()
    {
        var (code, _, stderr) = Train(TestEnvironment.NewTempDirectory(), "--context", "1.5");
        Assert.Equal(1, code);
        Assert.Contains("train: --context 1.5: the share of images must be between 0 and 1.", stderr);
    }

    [Fact]
    public void AFastRecipeModelFileServesEvaluateClassifyAndExportAlone()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "train", "--recipe", "fast", "--epochs", "1", "--steps", "2",
            "--batch", "8", "--half", "--data", Bundled, "--out", dir]);
        Assert.True(code == 0, stdout + stderr);
        var model = Path.Combine(dir, "resnet18-imagenet_rgb_fast.safetensors");
        var description = ModelFile.ReadDescription(model);
        Assert.True(description.Training!.Validation.TestTimeAugmentation);
        Assert.NotNull(description.Preprocessing.Network);

        // evaluate: the same figures as the file records (its float16 weights, its test-time augmentation).
        var evaluation = ExternalTools.Run("dotnet", ExternalTools.Cli, "evaluate", "--model", model, "--data", Bundled,
            "--split", Path.Combine(dir, "resnet18-imagenet_rgb_fast.split.csv"));
        var accuracy = description.Training.Validation.OverallAccuracy.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"overall accuracy {accuracy}, kappa ", evaluation.TrimEnd().Split('\n')[^1]);

        // classify: bands and normalisation from the file, naive windows at the default stride.
        var crop = TestRasters.SceneCrop(dir, 100, 100, 40, 24);
        var maps = Path.Combine(dir, "maps");
        var classified = ExternalTools.Run("dotnet", ExternalTools.Cli, "classify", crop, "--model", model, "--out", maps);
        Assert.Contains("naive mode, stride 16", classified);
        Assert.True(CnnSentinel.Scenes.SceneOutputPaths.For(maps, crop, allProbabilities: false).AllExist, classified);

        // export: ONNX with the file's metadata.
        var web = Path.Combine(dir, "web");
        ExternalTools.Run("dotnet", ExternalTools.Cli, "export", "--model", model, "--to", web, "--no-page");
        Assert.True(new FileInfo(Path.Combine(web, "model.onnx")).Length > 1_000_000);
    }

    [Theory]
    [InlineData("--seed", "7", "seed was 42, now 7")]
    [InlineData("--batch", "16", "batch was 8, now 16")]
    [InlineData("--lr", "0.5", "learning rate was 0.001, now 0.5")]
    public void ResumingWithOtherSettingsIsRefusedNamingThem(string option, string value, string message)
    {
        var dir = TestEnvironment.NewTempDirectory();
        var first = Train(dir);
        Assert.True(first.Code == 0, first.Stderr);
        var (code, _, stderr) = Train(dir, "--epochs", "2", option, value);
        Assert.Equal(1, code);
        Assert.Contains(message, stderr);
        Assert.Contains("smallcnn_rgb_scratch.last.ckpt belongs to a run with other settings", stderr);
        Assert.DoesNotContain("   at ", stderr); // a user error: one line, no stack trace
    }

    [Fact]
    public void ResumingOnOtherDataIsRefused()
    {
        var dir = TestEnvironment.NewTempDirectory();
        Assert.Equal(0, Train(dir).Code);
        var other = PatchFixtures.RgbFolder(Path.Combine(TestEnvironment.NewTempDirectory(), "data"), [.. CnnSentinel.Datasets.EuroSatClasses.Names], 3);
        var (code, _, stderr) = Train(dir, "--epochs", "2", "--data", other);
        Assert.Equal(1, code);
        Assert.Contains("data was 500 files", stderr);
    }

    /// <summary>
    /// <c>--precision bf16</c>: on a CPU with bfloat16 instructions the model file says how it was trained and the run
    /// resumes only in bfloat16; elsewhere the command says it trains in float32 instead, and records nothing of it.
    /// </summary>
    [Fact]
    public void TrainingInBFloat16IsRecordedInTheModelFileAndTheRunsIdentity()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (code, stdout, stderr) = Train(dir, "--precision", "bf16");
        Assert.True(code == 0, stdout + stderr);
        var recipe = ModelFile.ReadDescription(Path.Combine(dir, "smallcnn_rgb_scratch.safetensors")).Training!.Recipe;
        if (!CnnSentinel.Runtime.CpuPrecision.HasBFloat16)
        {
            Assert.Contains("train: --precision bf16: this CPU has no bfloat16 instructions", stdout);
            Assert.DoesNotContain("bfloat16", recipe);
            return;
        }
        Assert.Contains("optimiser steps in bfloat16 mixed precision (float32 master weights)", recipe);
        var (resumed, _, refusal) = Train(dir, "--epochs", "2");
        Assert.Equal(1, resumed);
        Assert.Contains("precision was BFloat16, now (not set)", refusal);
    }
}
