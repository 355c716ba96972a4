using CnnSentinel.Raster;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Scenes;

public class SceneMapTests
{
    [Fact]
    public void AMapInMemoryEqualsTheMapReadBackFromItsFiles()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 500, 300, 150, 90);
        // Blocks of 64 pixels: the in-memory map is stitched from 3 × 2 blocks; a threshold makes some pixels masks.
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Dense, Stride: 4, BlockSize: 64, UncertainBelow: 0.2);
        using var scene = SceneInput.Open(crop, 3);
        var inMemoryProgress = new RecordedProgress();
        var writtenProgress = new RecordedProgress();
        var inMemory = SceneMap.Classify(scene, TestRasters.SceneModel(), options, progress: inMemoryProgress);
        var written = SceneMap.Write(scene, TestRasters.SceneModel(), options, SceneOutputPaths.For(Path.Combine(dir, "out"), crop, allProbabilities: false),
            progress: writtenProgress);

        Assert.Null(inMemory.Outputs);
        Assert.True(written.Outputs!.AllExist);
        Assert.Equal((150, 90), (inMemory.Width, inMemory.Height));
        Assert.Equal((150, 90), (written.Width, written.Height));
        Assert.Equal(150 * 90, inMemory.Classes.Length);
        Assert.Equal(written.Classes, inMemory.Classes);
        Assert.Equal(written.Probability, inMemory.Probability);
        Assert.Equal(written.PixelCounts, inMemory.PixelCounts);
        Assert.Equal(150L * 90, inMemory.PixelCounts.Sum() + inMemory.NoDataPixels);
        Assert.True(inMemory.PixelCounts[(int)MapMask.Uncertain] > 0, "the threshold marks some pixels");
        Assert.True(inMemory.PixelsPerSecond > 0);

        using var classes = GdalRaster.Open(written.Outputs.Classes);
        Assert.Equal(classes.Read(0, 0, 150, 90).Select(v => (byte)v), written.Classes);

        // Progress after each block: 1 to 6 of 6, pixels adding up to the scene's (blocks of 64, 64, 22 × 64, 26).
        foreach (var reports in new[] { inMemoryProgress.Reports, writtenProgress.Reports })
        {
            Assert.Equal([1, 2, 3, 4, 5, 6], reports.Select(r => r.Block));
            Assert.All(reports, r => Assert.Equal((6, 150L * 90), (r.Blocks, r.TotalPixels)));
            Assert.Equal([64L * 64, 128 * 64, 150 * 64, 150 * 64 + 64 * 26, 150 * 64 + 128 * 26, 150 * 90], reports.Select(r => r.Pixels));
            Assert.True(reports[^1].IsComplete && !reports[^2].IsComplete);
        }
    }

    sealed class RecordedProgress : IProgress<SceneProgress>
    {
        public List<SceneProgress> Reports { get; } = [];
        public void Report(SceneProgress value) => Reports.Add(value);
    }

    [Fact]
    public void ADensePaddedMapMeasuresItsAgreementWithNaiveWindows()
    {
        var dir = TestEnvironment.NewTempDirectory();
        using var scene = SceneInput.Open(TestRasters.SceneCrop(dir, 300, 200, 96, 96), 3);
        var padded = TestRasters.SceneModel(samePadding: true);
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Dense, Stride: 8, AgreementSamplesPerBlock: 20);

        var dense = SceneMap.Classify(scene, padded, options);
        Assert.Equal(20, dense.NaiveAgreementSamples);
        Assert.InRange(dense.NaiveAgreement!.Value, 0, 1);

        var naive = SceneMap.Classify(scene, padded, options with { Mode = ClassificationMode.Naive });
        Assert.Null(naive.NaiveAgreement);
        Assert.Equal(0, naive.NaiveAgreementSamples);
        Assert.Null(SceneMap.Classify(scene, TestRasters.SceneModel(), options).NaiveAgreement); // unpadded: dense is exact
    }
}
