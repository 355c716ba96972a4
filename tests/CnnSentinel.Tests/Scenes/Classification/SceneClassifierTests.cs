using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Scenes;

public class SceneClassifierTests(ITestOutputHelper output)
{
    static SceneClassifier Classifier(ClassificationMode mode, int stride = 1, int blockSize = 512, bool all = false) =>
        new(TestRasters.SceneModel(), new SceneClassifierOptions(TestRasters.RgbPreprocessing, mode, stride, blockSize, KeepAllProbabilities: all));

    static (byte[] Classes, float[] Confidence) Run(SceneClassifier classifier, string path)
    {
        using var raster = GdalRaster.Open(path);
        var classes = new byte[raster.Width * raster.Height];
        var confidence = new float[classes.Length];
        foreach (var block in classifier.Classify(raster))
            for (int r = 0; r < block.Height; r++)
            {
                Array.Copy(block.Classes, r * block.Width, classes, (block.Y + r) * raster.Width + block.X, block.Width);
                Array.Copy(block.Confidence, r * block.Width, confidence, (block.Y + r) * raster.Width + block.X, block.Width);
            }
        return (classes, confidence);
    }

    [Fact]
    public void DenseAgreesWithNaiveOnARealCropAtStrideOne()
    {
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 600, 400, 64, 64);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var naive = Run(Classifier(ClassificationMode.Naive), crop);
        var naiveTime = watch.Elapsed;
        watch.Restart();
        var dense = Run(Classifier(ClassificationMode.Dense), crop);
        var denseTime = watch.Elapsed;
        double agreement = naive.Classes.Zip(dense.Classes).Count(p => p.First == p.Second) / (double)naive.Classes.Length;
        output.WriteLine($"label agreement dense vs naive, stride 1, 64x64 crop: {agreement:P2}; naive {naiveTime.TotalSeconds:0.0} s, dense {denseTime.TotalSeconds:0.00} s; classes used {naive.Classes.Distinct().Count()}");
        Assert.True(agreement >= 0.99, $"agreement {agreement:P2}");
    }

    [Fact]
    public void DenseEqualsNaiveExactlyForAModelWithoutPadding()
    {
        // 1×1 convolutions and pooling have no window-border effects, so dense must reproduce naive to rounding:
        // this checks the shift-and-stitch indexing, the context margin and the edge padding.
        torch.manual_seed(1);
        var features = nn.Sequential(nn.Conv2d(3, 8, 1), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(8, 16, 1), nn.ReLU(), nn.MaxPool2d(2));
        var model = WindowModel.FromParts(features, nn.Linear(16, 10), downsampling: 4);
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 300, 200, 21, 18);
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Naive, BlockSize: 8, KeepAllProbabilities: true);
        var naive = RunAll(new SceneClassifier(model, options), crop);
        var dense = RunAll(new SceneClassifier(model, options with { Mode = ClassificationMode.Dense, ContextMargin = 0 }), crop);
        Assert.Equal(naive.Length, dense.Length);
        Assert.All(naive.Zip(dense), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DenseFromTheDilatedMapEqualsNaiveForAnUnpaddedNetwork(int stride)
    {
        // The scene CNN's convolutions are unpadded, so every cell of its dilated map is exactly a window's: this checks
        // the one-pass map's indexing (cells k·step apart, the window's cells Downsampling / step apart), not shift-and-stitch.
        var model = TestRasters.SceneModel();
        Assert.NotNull(model.FeatureMapAt(1));
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 300, 200, 45, 38);
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Naive, stride, BlockSize: 16, KeepAllProbabilities: true);
        var naive = RunAll(new SceneClassifier(model, options), crop);
        var dense = RunAll(new SceneClassifier(model, options with { Mode = ClassificationMode.Dense, ContextMargin = 0 }), crop);
        Assert.Equal(naive.Length, dense.Length);
        Assert.All(naive.Zip(dense), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    static float[] RunAll(SceneClassifier classifier, string path)
    {
        using var raster = GdalRaster.Open(path);
        return classifier.Classify(raster).OrderBy(b => (b.Y, b.X)).SelectMany(b => b.Probabilities!).ToArray();
    }

    [Fact]
    public void BlockSeamsDoNotShowWithAPaddedModel()
    {
        // Same-padded convolutions see across block borders: the context margin must hide the seams.
        var model = TestRasters.SceneModel(samePadding: true);
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 400, 600, 72, 50);
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Dense, KeepAllProbabilities: true);
        var whole = Assemble(new SceneClassifier(model, options with { BlockSize = 128 }), crop);
        var blocks = Assemble(new SceneClassifier(model, options with { BlockSize = 24 }), crop);
        Assert.All(whole.Zip(blocks), p => Assert.Equal(p.First, p.Second, 1e-4f));
    }

    [Fact]
    public void LargerStridesInterpolateTheCentreWindowsBilinearlyAcrossBlocks()
    {
        var model = TestRasters.SceneModel();
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 1000, 200, 40, 24);
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Dense, BlockSize: 40, KeepAllProbabilities: true);
        var fine = Assemble(new SceneClassifier(model, options), crop); // every pixel's own window
        foreach (var (mode, stride) in new[] { (ClassificationMode.Dense, 2), (ClassificationMode.Dense, 8), (ClassificationMode.Naive, 5), (ClassificationMode.Naive, 8) })
        {
            // Blocks of 16 pixels: interpolation must cross block seams with the same centres.
            var coarse = Assemble(new SceneClassifier(model, options with { Mode = mode, Stride = stride, BlockSize = 16 }), crop);
            var (ys, wy) = Expected(24, stride);
            var (xs, wx) = Expected(40, stride);
            for (int k = 0; k < 10; k++)
                for (int y = 0; y < 24; y++)
                    for (int x = 0; x < 40; x++)
                    {
                        float At(int cy, int cx) => fine[(k * 24 + cy) * 40 + cx];
                        float top = At(ys[y].Lower, xs[x].Lower) * (1 - wx[x]) + At(ys[y].Lower, xs[x].Upper) * wx[x];
                        float bottom = At(ys[y].Upper, xs[x].Lower) * (1 - wx[x]) + At(ys[y].Upper, xs[x].Upper) * wx[x];
                        Assert.Equal(top * (1 - wy[y]) + bottom * wy[y], coarse[(k * 24 + y) * 40 + x], 1e-5f);
                    }
        }
        Assert.Throws<UserErrorException>(() => new SceneClassifier(model, options with { Stride = 0 }));
        Assert.Throws<UserErrorException>(() => new SceneClassifier(model, options with { Stride = 41 }));
    }

    /// <summary>
    /// Per pixel of an axis, the centre pixels (k·stride + stride/2, inside the test crops) before and after it and the
    /// weight of the second, written out independently of the classifier; before the first and after the last centre, the nearest.
    /// </summary>
    static ((int Lower, int Upper)[] Centres, float[] Weights) Expected(int length, int stride)
    {
        var centres = Enumerable.Range(0, (length + stride - 1) / stride).Select(k => k * stride + stride / 2).ToArray();
        Assert.True(centres[^1] < length, "the test's centres lie inside the crop");
        var pairs = new (int, int)[length];
        var weights = new float[length];
        for (int p = 0; p < length; p++)
        {
            int after = Array.FindIndex(centres, c => c >= p);
            if (after < 0) pairs[p] = (centres[^1], centres[^1]);
            else if (centres[after] == p || after == 0) pairs[p] = (centres[after], centres[after]);
            else
            {
                pairs[p] = (centres[after - 1], centres[after]);
                weights[p] = (p - centres[after - 1]) / (float)stride;
            }
        }
        return (pairs, weights);
    }

    [Fact]
    public void PixelsBelowTheThresholdAreUncertain()
    {
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 600, 300, 48, 40);
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Dense, Stride: 4, KeepAllProbabilities: true);
        var plain = Run(new SceneClassifier(TestRasters.SceneModel(), options), crop);
        float threshold = plain.Confidence.Order().ElementAt(plain.Confidence.Length / 2); // the median: half of the pixels
        var marked = Run(new SceneClassifier(TestRasters.SceneModel(), options with { UncertainBelow = threshold }), crop);
        for (int i = 0; i < plain.Classes.Length; i++)
            Assert.Equal(plain.Confidence[i] < threshold ? (byte)MapMask.Uncertain : plain.Classes[i], marked.Classes[i]);
        Assert.Contains(marked.Classes, c => c == (byte)MapMask.Uncertain);
        Assert.Throws<UserErrorException>(() => new SceneClassifier(TestRasters.SceneModel(), options with { UncertainBelow = 1.5 }));
    }

    [Fact]
    public void DenseModeOfAPaddedNetworkMeasuresItsAgreementWithNaiveWindows()
    {
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 700, 400, 128, 128);
        torch.manual_seed(3);
        var resnet = WindowModel.For(ResNet.ResNet18(classes: 10, bands: 3));
        Assert.True(resnet.SupportsDense);
        Assert.False(resnet.DenseIsExact);
        // Every cell sampled: the measured agreement must equal the share of centres where the dense and the naive maps agree.
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, ClassificationMode.Dense, Stride: 32, AgreementSamplesPerBlock: 1000);
        var dense = new SceneClassifier(resnet, options);
        var denseClasses = Run(dense, crop).Classes;
        var naiveClasses = Run(new SceneClassifier(resnet, options with { Mode = ClassificationMode.Naive }), crop).Classes;
        var centres = new[] { 16, 48, 80, 112 };
        int agreed = centres.SelectMany(y => centres.Select(x => y * 128 + x)).Count(i => denseClasses[i] == naiveClasses[i]);
        Assert.Equal(new SceneAgreement(16, agreed), dense.Agreement);

        // The unpadded scene CNN is exact: nothing to measure.
        var exact = new SceneClassifier(TestRasters.SceneModel(), options with { Stride = 4 });
        Run(exact, crop);
        Assert.Null(exact.Agreement);
        // Any module without the features → pooling → head split classifies only naively.
        var naiveOnly = WindowModel.FromModule(new SmallCnn(10, 3));
        Assert.False(naiveOnly.SupportsDense);
        Assert.Throws<UserErrorException>(() => new SceneClassifier(naiveOnly, options));
    }

    [Fact]
    public void WindowSharesCountEveryPixelOfEachWindow()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 40 * 50).Select(_ => random.NextDouble() < 0.3).ToArray();
        using var mask = torch.tensor(values, [40, 50]);
        long[] rows = [0, 5, 31], cols = [0, 17, 41];
        var shares = BlockPixels.WindowShares(mask, rows, cols, window: 9).data<float>().ToArray();
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < cols.Length; j++)
            {
                int count = 0;
                for (long y = rows[i]; y < rows[i] + 9; y++)
                    for (long x = cols[j]; x < cols[j] + 9; x++)
                        if (values[y * 50 + x]) count++;
                Assert.Equal(count / 81f, shares[i * cols.Length + j], 1e-6f);
            }
    }

    /// <summary>All-class probabilities of the whole raster, [K, H, W], from however many blocks.</summary>
    static float[] Assemble(SceneClassifier classifier, string path)
    {
        using var raster = GdalRaster.Open(path);
        int w = raster.Width, h = raster.Height;
        float[]? all = null;
        foreach (var block in classifier.Classify(raster))
        {
            int classes = block.Probabilities!.Length / (block.Width * block.Height);
            all ??= new float[classes * w * h];
            for (int k = 0; k < classes; k++)
                for (int r = 0; r < block.Height; r++)
                    Array.Copy(block.Probabilities, (k * block.Height + r) * block.Width, all, (k * h + block.Y + r) * w + block.X, block.Width);
        }
        return all!;
    }
}
