using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Scenes;

public class AdaptiveCellClassifierTests(ITestOutputHelper output)
{
    const int Width = 160, Height = 72, Border = 80;

    /// <summary>Three classes from a window's mean value: dark (class 1) and bright (class 0) sure, uncertain in between.</summary>
    sealed class BrightnessClassifier() : nn.Module<Tensor, Tensor>(nameof(BrightnessClassifier))
    {
        public override Tensor forward(Tensor windows)
        {
            var score = windows.mean([1, 2, 3]).sub(110).div(10);
            return stack([score, score.neg(), zeros_like(score)], 1);
        }
    }

    /// <summary>A 3-band scene dark left of <see cref="Border"/> and bright right of it, with seeded noise.</summary>
    static string HalfBrightScene(string folder)
    {
        var random = new Random(7);
        var values = new float[3 * Width * Height];
        for (int b = 0; b < 3; b++)
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    values[(b * Height + y) * Width + x] = (x + y / 4 < Border ? 20 : 200) + (float)random.NextDouble() * 10;
        var path = Path.Combine(folder, "half_bright.tif");
        TestRasters.Write(path, Width, Height, 3, values, TestRasters.Utm10m());
        return path;
    }

    static readonly Preprocessing Unscaled = new(new ChannelNormalization([0, 0, 0], [1, 1, 1]));

    static float[] Probabilities(SceneClassifier classifier, string path, int classes)
    {
        using var raster = GdalRaster.Open(path);
        var all = new float[classes * raster.Width * raster.Height];
        foreach (var block in classifier.Classify(raster))
            for (int k = 0; k < classes; k++)
                for (int r = 0; r < block.Height; r++)
                    Array.Copy(block.Probabilities!, (k * block.Height + r) * block.Width, all, (k * raster.Height + block.Y + r) * raster.Width + block.X, block.Width);
        return all;
    }

    static int[] Classes(float[] probabilities, int classes, int pixels) =>
        Enumerable.Range(0, pixels).Select(i => Enumerable.Range(0, classes).MaxBy(k => probabilities[k * pixels + i])).ToArray();

    [Fact]
    public void ClassifiesTheLatticeAndTheBorderAndInterpolatesTheSettledRest()
    {
        var scene = HalfBrightScene(TestEnvironment.NewTempDirectory());
        var model = WindowModel.FromModule(new BrightnessClassifier());
        var options = new SceneClassifierOptions(Unscaled, ClassificationMode.Naive, Stride: 8, BlockSize: 40, KeepAllProbabilities: true);
        var naive = Probabilities(new SceneClassifier(model, options), scene, 3);
        var adaptiveClassifier = new SceneClassifier(model, options with { Mode = ClassificationMode.Adaptive });
        var adaptive = Probabilities(adaptiveClassifier, scene, 3);

        var coverage = adaptiveClassifier.Coverage!;
        output.WriteLine($"classified {coverage.Classified} of {coverage.Cells} cells ({coverage.Share:P1}); sampled agreement {adaptiveClassifier.Agreement}");
        Assert.InRange(coverage.Share, 0.2, 0.8); // the border's cells classified, the halves' mostly interpolated
        Assert.Equal(Classes(naive, 3, Width * Height), Classes(adaptive, 3, Width * Height));
        Assert.True(adaptiveClassifier.Agreement!.Compared > 0);

        // The coarse lattice (every 4th cell at stride 8: centres 4, 36, 68, … px) is always classified: those pixels are
        // their naive windows' exactly; pixels between settled cells are not (interpolated), so the maps differ somewhere.
        int plane = Width * Height;
        for (int y = 4; y < Height; y += 32)
            for (int x = 4; x < Width; x += 32)
                for (int k = 0; k < 3; k++)
                    Assert.Equal(naive[k * plane + y * Width + x], adaptive[k * plane + y * Width + x], 1e-6f);
        Assert.Contains(Enumerable.Range(0, naive.Length), i => Math.Abs(naive[i] - adaptive[i]) > 1e-4);
        Assert.Null(new SceneClassifier(model, options).Coverage);
    }

    [Fact]
    public void WithNothingSettledItIsNaiveExactly()
    {
        // A random network is nowhere sure of a class at 0.99: every cell is classified on its own.
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 300, 200, 45, 38);
        var model = TestRasters.SceneModel();
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Naive, Stride: 3, BlockSize: 16, KeepAllProbabilities: true);
        var naive = Probabilities(new SceneClassifier(model, options), crop, 10);
        var classifier = new SceneClassifier(model, options with { Mode = ClassificationMode.Adaptive, AdaptiveSettledAbove = 0.99 });
        var adaptive = Probabilities(classifier, crop, 10);
        Assert.Equal(1.0, classifier.Coverage!.Share);
        Assert.Null(classifier.Agreement); // nothing interpolated, nothing to compare
        Assert.All(naive.Zip(adaptive), p => Assert.Equal(p.First, p.Second, 1e-6f));
    }

    [Fact]
    public void AWaterClassSettlesOnlyWithOneLandClassBehindIt()
    {
        // Where green is not above near infrared the water test gives the pixel its leading land class, so four corners
        // sure of River settle only when they also agree on the land class behind it.
        int[] water = [1];
        float[] Cell(float river, float forest, float pasture) => [1 - river - forest - pasture, river, forest, pasture];
        var grid = new AdaptiveCellClassifier.CellGrid(2, 2);
        grid.EnsureClasses(4);
        void Corners(params float[][] cells)
        {
            for (int i = 0; i < 4; i++) grid.Set(i / 2, i % 2, cells[i]);
        }

        Corners(Cell(0.9f, 0.08f, 0), Cell(0.9f, 0.08f, 0), Cell(0.9f, 0.08f, 0), Cell(0.9f, 0, 0.08f));
        Assert.True(grid.Settled(0, 1, 0, 1, 0.8, water: null));
        Assert.False(grid.Settled(0, 1, 0, 1, 0.8, water));
        // Forest behind River everywhere, its share of the land classes 0.95, 0.95, 0.75 (0.09 of 0.12) and 0.98.
        Corners(Cell(0.9f, 0.095f, 0), Cell(0.9f, 0.095f, 0), Cell(0.88f, 0.09f, 0.02f), Cell(0.95f, 0.049f, 0));
        Assert.True(grid.Settled(0, 1, 0, 1, 0.7, water));
        Assert.True(grid.Settled(0, 1, 0, 1, 0.85, water: null));
        Assert.False(grid.Settled(0, 1, 0, 1, 0.85, water)); // River above 0.85 at every corner, Forest's share not
        Corners(Cell(0.9f, 0.08f, 0), Cell(0.9f, 0.08f, 0), Cell(0.9f, 0.08f, 0), Cell(0.7f, 0.2f, 0));
        Assert.False(grid.Settled(0, 1, 0, 1, 0.8, water: null)); // one corner under the threshold
        Assert.True(grid.Settled(0, 1, 0, 1, 0.65, water: null));
    }

    [Theory]
    [InlineData(8, 32, 4)]
    [InlineData(16, 32, 2)]
    [InlineData(32, 32, 1)]
    [InlineData(64, 32, 1)]
    [InlineData(5, 32, 4)]
    [InlineData(1, 32, 32)]
    public void TheCoarsestLatticeIsThePowerOfTwoOfCellsWithinTheSpacing(int stride, int coarsest, int step) =>
        Assert.Equal(step, AdaptiveCellClassifier.CoarsestStep(stride, coarsest));

    [Fact]
    public void SettingsOutsideTheirRangesAreRefused()
    {
        var model = TestRasters.SceneModel();
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Adaptive, Stride: 8);
        Assert.Contains("0.5–1", Assert.Throws<UserErrorException>(() => new SceneClassifier(model, options with { AdaptiveSettledAbove = 0.4 })).Message);
        Assert.Throws<UserErrorException>(() => new SceneClassifier(model, options with { AdaptiveSettledAbove = double.NaN }));
        Assert.Throws<UserErrorException>(() => new SceneClassifier(model, options with { AdaptiveCoarsest = 0 }));
    }
}
