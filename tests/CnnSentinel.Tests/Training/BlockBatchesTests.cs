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
    /// The reference lays the images out with cat (row by row) and takes each image's cells with narrow: another
    /// way to the same layout than the reshape and permute under test, so a transposed block or a mislabelled image fails.
    /// </summary>
    [Fact]
    public void EachImagesLogitsAreTheHeadOnItsOwnCellsOfTheLaidOutBlock()
    {
        TestEnvironment.LoadTorch();
        manual_seed(3);
        using var network = ModelCatalog.Create("resnet18", 5, 3);
        network.eval();
        using var _ = no_grad();
        const int side = 2, size = 64;
        var batch = rand(2 * side * side, 3, size, size) * 255;
        var logits = new BlockBatches(1, side).Logits(network, batch)!;

        int cells = size / network.FeatureStride!.Value;
        for (int block = 0; block < 2; block++)
        {
            var rows = Enumerable.Range(0, side)
                .Select(r => cat(Enumerable.Range(0, side).Select(c => batch[block * side * side + r * side + c]).ToList(), 2)).ToList();
            var features = network.FeatureMap(cat(rows, 1).unsqueeze(0));
            for (int r = 0; r < side; r++)
                for (int c = 0; c < side; c++)
                {
                    var own = features.narrow(2, r * cells, cells).narrow(3, c * cells, cells).mean([2, 3]);
                    var expected = network.HeadOfPooled(own)[0];
                    Assert.True(expected.allclose(logits[block * side * side + r * side + c], rtol: 1e-4, atol: 1e-4), $"block {block}, row {r}, column {c}");
                }
        }
        // And a block is not a lone window: the neighbours change an image's logits (the point of training on blocks).
        Assert.True(logits.sub(network.call(batch)).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void ABatchThatDoesNotFillWholeBlocksRunsAsLoneWindows()
    {
        TestEnvironment.LoadTorch();
        using var network = ModelCatalog.Create("resnet18", 5, 3);
        Assert.Null(new BlockBatches(1, 4).Logits(network, zeros(12, 3, 64, 64)));
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
