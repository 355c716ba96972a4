using CnnSentinel.Models;
using CnnSentinel.Training;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

/// <summary><see cref="BlockBatches"/>: block steps show the network a batch as dense classification shows it a scene.</summary>
public class BlockBatchesTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.25)]
    [InlineData(0.3)]
    public void TheShareOfBlockStepsHoldsInEveryStretchOfSteps(double share)
    {
        var blocks = new BlockBatches(share);
        var applied = Enumerable.Range(0, 1000).Select(step => blocks.Applies(step)).ToArray();
        Assert.Equal((int)Math.Floor(1000 * share), applied.Count(a => a));
        // Evenly spread: any 20 consecutive steps hold the share to within one step.
        for (int start = 0; start + 20 <= applied.Length; start++)
            Assert.InRange(applied.Skip(start).Take(20).Count(a => a), 20 * share - 1, 20 * share + 1);
        Assert.DoesNotContain(Enumerable.Range(0, 100), step => new BlockBatches(0).Applies(step));
        Assert.All(Enumerable.Range(0, 100), step => Assert.True(new BlockBatches(1).Applies(step)));
    }

    /// <summary>
    /// The reference lays the images out with cat (row by row), crops the shift with narrow and takes each window's
    /// cells with narrow: another way to the same layout than the reshape and permute under test, so a transposed block
    /// or a mislabelled window fails. A 4 × 4 block of 64-pixel images shifted by fewer than 32 pixels holds 6 × 6
    /// windows one stride (32) apart; window i's centre (32·i + shift + 32) lies on image ⌊(i + 1) / 2⌋.
    /// </summary>
    [Fact]
    public void EachWindowsLogitsAreTheHeadOnItsCellsAndItsClassIsTheImageUnderItsCentre()
    {
        TestEnvironment.LoadTorch();
        manual_seed(3);
        using var network = ModelCatalog.Create("resnet18", 5, 3);
        network.eval();
        using var _ = no_grad();
        const int side = 4, size = 64, rowShift = 8, columnShift = 27;
        var batch = rand(side * side, 3, size, size) * 255;
        var labels = arange(side * side, dtype: ScalarType.Int64);
        var (logits, windowLabels) = new BlockBatches(1, side).Windows(network, batch, labels, rowShift, columnShift)!.Value;

        int stride = network.FeatureStride!.Value, cells = size / stride;
        var rows = Enumerable.Range(0, side).Select(r => cat(Enumerable.Range(0, side).Select(c => batch[r * side + c]).ToList(), 2)).ToList();
        var block = cat(rows, 1).unsqueeze(0).narrow(2, rowShift, side * size - stride).narrow(3, columnShift, side * size - stride);
        var features = network.FeatureMap(block);
        long[] imageOfWindow = [0, 1, 1, 2, 2, 3];
        Assert.Equal(36, logits.shape[0]);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
            {
                var own = features.narrow(2, i, cells).narrow(3, j, cells).mean([2, 3]);
                var expected = network.HeadOfPooled(own)[0];
                Assert.True(expected.allclose(logits[i * 6 + j], rtol: 1e-4, atol: 1e-4), $"window {i}, {j}");
                Assert.Equal(imageOfWindow[i] * side + imageOfWindow[j], windowLabels[i * 6 + j].item<long>());
            }
    }

    [Fact]
    public void TheShiftIsDrawnFromTheStepAndNeverPutsACentreOnABorder()
    {
        TestEnvironment.LoadTorch();
        manual_seed(4);
        using var network = ModelCatalog.Create("resnet18", 5, 3);
        network.eval();
        using var _ = no_grad();
        var blocks = new BlockBatches(1, 2);
        var batch = rand(4, 3, 64, 64);
        var labels = arange(4, dtype: ScalarType.Int64);
        var first = blocks.Step(network, batch, labels, 7)!.Value.Logits;
        Assert.True(first.Equals(blocks.Step(network, batch, labels, 7)!.Value.Logits), "the same step, the same shift");
        Assert.False(first.Equals(blocks.Step(network, batch, labels, 8)!.Value.Logits), "another step, another shift");
        // Whatever the shift, a 2 × 2 block holds 2 × 2 windows, each labelled with the image under its centre.
        Assert.Equal([0L, 1, 2, 3], blocks.Step(network, batch, labels, 8)!.Value.Labels.data<long>().ToArray());
    }

    [Fact]
    public void ABatchThatDoesNotFillWholeBlocksRunsAsLoneWindows()
    {
        TestEnvironment.LoadTorch();
        using var network = ModelCatalog.Create("resnet18", 5, 3);
        Assert.Null(new BlockBatches(1, 4).Step(network, zeros(12, 3, 64, 64), zeros(12, dtype: ScalarType.Int64), 0));
    }

    [Fact]
    public void ANetworkWithoutAFeatureMapIsRefusedNamingIt()
    {
        TestEnvironment.LoadTorch();
        var (train, validation) = TinyProblem.Data();
        using var model = TinyProblem.Model();
        var error = Assert.Throws<UserErrorException>(() => Trainer.Fit(model, train, validation,
            new TrainerOptions { Epochs = 1, Blocks = new BlockBatches(0.5), RestoreBestWeights = false }));
        Assert.Contains("Block steps", error.Message);
        Assert.Contains(model.GetName(), error.Message);
    }

    [Fact]
    public void BadSharesAreRefused()
    {
        Assert.Contains("--blocks 1.5", Assert.Throws<UserErrorException>(() => new BlockBatches(1.5)).Message);
        Assert.Throws<UserErrorException>(() => new BlockBatches(0.5, 1));
    }
}
