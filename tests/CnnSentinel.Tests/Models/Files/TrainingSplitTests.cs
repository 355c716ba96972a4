using CnnSentinel.Datasets;
using CnnSentinel.Models;

namespace CnnSentinel.Tests.Models;

public class TrainingSplitTests
{
    static string ShippedModel => Path.Combine(TestEnvironment.RepositoryRoot, "data", "models", "resnet18-imagenet_rgb_fast-continued-context-radiometric.safetensors");

    static string CommittedSampleSplit => Path.ChangeExtension(ShippedModel, ".sample-split.csv");

    [SkippableFact]
    public void CommittedSampleSplitIsTheShippedModelsSplitOfTheFullCopy()
    {
        var full = Path.GetFullPath(Path.Combine(TestEnvironment.RepositoryRoot, "..", "shared", "data", "eurosat-rgb"));
        Skip.IfNot(Directory.Exists(full), $"the full development copy ({full}) is not on this machine: the committed sample split cannot be made again here");
        var split = TrainingSplit.Reproduce(ModelFile.ReadDescription(ShippedModel), EuroSatDataset.Open(full));
        var sample = TrainingSplit.Restrict(split, EuroSatDataset.Open(PatchFixtures.BundledRgb));
        Assert.True(File.ReadAllText(CommittedSampleSplit) == sample.ToCsv(),
            $"{CommittedSampleSplit} is not the shipped model's split of the bundled sample; data/README.md says how to make it again.");
    }

    [Fact]
    public void CommittedSampleSplitCoversEveryBundledPatchWithEveryClassOnBothSides()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var split = SplitManifest.Read(CommittedSampleSplit, dataset);
        Assert.Equal(dataset.Samples, split.Entries.Select(e => e.Sample));
        Assert.All(split.CountPerClass(SplitSet.Validation, 10), n => Assert.InRange(n, 5, 30));
        Assert.InRange(split.Validation.Count / (double)dataset.Samples.Count, 0.2, 0.4);
    }

    [Fact]
    public void RefusesAFolderOtherThanTheOneTheModelWasTrainedOn()
    {
        var description = ModelFile.ReadDescription(ShippedModel);
        var sample = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var error = Assert.Throws<InvalidDataException>(() => TrainingSplit.Reproduce(description, sample));
        Assert.Contains("holds 500 patch files", error.Message);
        Assert.Contains($"with {description.Training!.Data.Files}", error.Message);
        Assert.Contains("split manifest", error.Message);

        var unknown = Assert.Throws<InvalidDataException>(() => TrainingSplit.Reproduce(description with { Training = null }, sample));
        Assert.Contains("records no training data", unknown.Message);
    }

    [Fact]
    public void ReproducesTheSplitTrainMadeOnTheSameFolder()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var made = StratifiedRandomSplit.Create(dataset, seed: 7);
        var description = ModelFile.ReadDescription(ShippedModel);
        var trainedHere = description with { Training = description.Training! with { Seed = 7, Data = DataIdentity.Of(dataset, made) } };
        Assert.Equal(made.ToCsv(), TrainingSplit.Reproduce(trainedHere, dataset).ToCsv());
    }

    [Fact]
    public void RestrictingToAFolderThatIsNoSubsetNamesTheStrangePatch()
    {
        var root = PatchFixtures.RgbFolder(TestEnvironment.NewTempDirectory(), ["A", "B"], 3);
        var small = EuroSatDataset.Open(root, classes: ["A", "B"]);
        var split = StratifiedRandomSplit.Create(small);
        Assert.Equal(split.ToCsv(), TrainingSplit.Restrict(split, small).ToCsv());
        PatchFixtures.WriteJpeg(Path.Combine(root, "B", "B_9.jpg"));
        var error = Assert.Throws<InvalidDataException>(() => TrainingSplit.Restrict(split, EuroSatDataset.Open(root, classes: ["A", "B"])));
        Assert.Contains("'B/B_9.jpg' is not a patch of the split's folder", error.Message);
    }
}
