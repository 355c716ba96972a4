using CnnSentinel.Datasets;
using CnnSentinel.Loading;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Loading;

public class PatchLoaderTests
{
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.allclose(b, rtol: 0, atol: 0);

    [Fact]
    public void EvaluationBatchesAreTheNormalisedFilesInOrderWithTheirPaths()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var loader = new PatchLoader(dataset, options: LoaderOptions.Evaluation with { BatchSize = 64 });
        var batches = loader.Epoch().ToList();
        Assert.Equal(8, batches.Count);
        Assert.Equal(500 - 7 * 64, batches[^1].Count);
        Assert.Equal(dataset.Samples.Select(s => s.RelativePath), batches.SelectMany(b => b.Paths));

        var first = batches[0];
        Assert.Equal([64L, 3, 64, 64], first.Images.shape);
        Assert.Equal(ScalarType.Int64, first.Labels.dtype);
        Assert.Equal(first.ClassIndices.Select(i => (long)i), first.Labels.data<long>().ToArray());
        var raw = tensor(dataset.Read(dataset.Samples[5]).Select(v => (float)v).ToArray(), [3, 64, 64]);
        Assert.True(first.Images[5].allclose(ChannelNormalization.OriginalRgb.Apply(raw), atol: 1e-5));
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public void SameSeedGivesIdenticalBatchesWhateverThePrefetch()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledMultispectral);
        var options = LoaderOptions.Training with { BatchSize = 16, Labels = LabelEncoding.OneHot };
        var a = new PatchLoader(dataset, options: options with { Prefetch = 1 }).Epoch(3).ToList();
        var b = new PatchLoader(dataset, options: options with { Prefetch = 8, CacheDecoded = true }).Epoch(3).ToList();
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Paths, b[i].Paths);
            Assert.Equal(a[i].Augmentations, b[i].Augmentations);
            Assert.True(Same(a[i].Images, b[i].Images), $"batch {i}");
            Assert.True(Same(a[i].Labels, b[i].Labels));
        }
        Assert.Equal([16L, 13, 64, 64], a[0].Images.shape);
        Assert.Equal([16L, 10], a[0].Labels.shape);
        Assert.All(a.SelectMany(x => x.Augmentations), c => Assert.InRange(c.RotationDegrees, -45, 45));

        var otherEpoch = new PatchLoader(dataset, options: options).Epoch(4).First();
        Assert.NotEqual(a[0].Paths, otherEpoch.Paths);
        var otherSeed = new PatchLoader(dataset, options: options with { Seed = 7 }).Epoch(3).First();
        Assert.NotEqual(a[0].Paths, otherSeed.Paths);
    }

    [Fact]
    public void AugmentedImagesAreTheRecordedAugmentationsOfTheNormalisedFiles()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledMultispectral);
        var loader = new PatchLoader(dataset, options: LoaderOptions.Training with { BatchSize = 4, Augmentation = AugmentationPolicy.Original with { QuarterTurns = true } });
        using var batch = loader.Epoch(1).First();
        var raw = stack(batch.Samples.Select(s => tensor(dataset.Read(s).Select(v => (float)v).ToArray(), [13, 64, 64])).ToArray());
        var expected = AugmentationPolicy.Apply(ChannelNormalization.OriginalMultispectral.Apply(raw), batch.Augmentations);
        Assert.True(batch.Images.allclose(expected, atol: 1e-5));
        Assert.Contains(batch.Augmentations, c => c.RotationDegrees != 0);
    }

    [Fact]
    public void AnEpochShufflesEveryImageExactlyOnce()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var loader = new PatchLoader(dataset, options: LoaderOptions.Training with { BatchSize = 50, DropLast = true });
        var paths = loader.Epoch(0).SelectMany(b => b.Paths).ToList();
        Assert.Equal(dataset.Samples.Select(s => s.RelativePath).Order(), paths.Order());
        Assert.NotEqual(dataset.Samples.Select(s => s.RelativePath), paths);
        Assert.Equal(paths, loader.Order(0).Select(s => s.RelativePath));
    }

    [Fact]
    public void LoadsOnlyTheSamplesOfOneSideOfASplit()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var split = StratifiedRandomSplit.Create(dataset);
        var loader = new PatchLoader(dataset, split.Validation, LoaderOptions.Evaluation);
        Assert.Equal(150, loader.Count);
        Assert.Equal(split.Validation.Select(s => s.RelativePath), loader.Epoch().SelectMany(b => b.Paths));
    }

    [Fact]
    public void ADamagedFileStopsTheEpochNamingTheFile()
    {
        var root = PatchFixtures.RgbFolder(TestEnvironment.NewTempDirectory(), ["A", "B"], 20);
        var bad = Path.Combine(root, "B", "B_7.jpg");
        File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..100]);
        var dataset = EuroSatDataset.Open(root, classes: ["A", "B"]);
        var loader = new PatchLoader(dataset, options: LoaderOptions.Training with { BatchSize = 8, Normalization = new([0, 0, 0], [1, 1, 1]) });
        var error = Assert.Throws<InvalidPatchException>(() => loader.Epoch().ToList());
        Assert.Equal(bad, error.FilePath);
    }

    [Fact]
    public void RefusesANormalisationOfAnotherBandCount()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        Assert.Throws<UserErrorException>(() => new PatchLoader(dataset, options: new LoaderOptions(Normalization: ChannelNormalization.OriginalMultispectral)));
    }
}
