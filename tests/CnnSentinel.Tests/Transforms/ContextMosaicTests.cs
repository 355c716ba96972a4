using CnnSentinel.Datasets;
using CnnSentinel.Loading;
using CnnSentinel.Randomness;
using CnnSentinel.Transforms;

namespace CnnSentinel.Tests.Transforms;

/// <summary>The context mosaic: a patch among neighbours, seen through the window centred on one of its pixels.</summary>
public class ContextMosaicTests
{
    /// <summary>
    /// The window as a picture of the whole arrangement would show it: the patch in the middle of a 3 × 3 picture, the
    /// vertical neighbour above and below it, the horizontal one left and right, the diagonal one in the corners; the
    /// window's top-left corner is the patch's moved by the shift.
    /// </summary>
    static float[] Reference(float[] batch, int index, ContextPlacement p, int bands, int size)
    {
        int image = bands * size * size;
        int[,] arrangement = { { p.Diagonal, p.Vertical, p.Diagonal }, { p.Horizontal, index, p.Horizontal }, { p.Diagonal, p.Vertical, p.Diagonal } };
        float Picture(int b, int y, int x) => batch[arrangement[y / size, x / size] * image + (b * size + y % size) * size + x % size];
        var window = new float[image];
        for (int b = 0; b < bands; b++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    window[(b * size + y) * size + x] = Picture(b, size + p.RowShift + y, size + p.ColumnShift + x);
        return window;
    }

    [Fact]
    public void EveryShiftCutsTheWindowOutOfTheArrangementAroundThePatch()
    {
        const int bands = 2, size = 8, count = 4;
        var batch = new float[count * bands * size * size];
        for (int i = 0; i < batch.Length; i++) batch[i] = i; // every pixel of every image distinct
        for (int row = -size / 2; row < size / 2; row++)
            for (int column = -size / 2; column < size / 2; column++)
            {
                var placement = new ContextPlacement(row, column, Vertical: 3, Horizontal: 0, Diagonal: 2);
                var window = new float[bands * size * size];
                ContextMosaic.Apply(batch, window, 1, placement, bands, size);
                Assert.Equal(Reference(batch, 1, placement, bands, size), window);
            }
    }

    [Fact]
    public void DrawsAreSeededAndNeverUseThePatchAsItsOwnNeighbour()
    {
        var mosaic = new ContextMosaic(Probability: 1);
        var placements = Enumerable.Range(0, 50).SelectMany(seed => mosaic.Draw((ulong)seed, 16, 64)).ToList();
        Assert.Equal(mosaic.Draw(7, 16, 64), mosaic.Draw(7, 16, 64));
        Assert.NotEqual(mosaic.Draw(7, 16, 64), mosaic.Draw(8, 16, 64));
        Assert.All(placements, p => Assert.InRange(p.RowShift, -32, 31));
        Assert.All(placements, p => Assert.InRange(p.ColumnShift, -32, 31));
        Assert.Contains(placements, p => p.RowShift == -32);
        Assert.Contains(placements, p => p.ColumnShift == 31);
        var drawn = Enumerable.Range(0, 50).SelectMany(seed => mosaic.Draw((ulong)seed, 16, 64).Select((p, i) => (p, i))).ToList();
        Assert.All(drawn, d => Assert.True(d.p.Vertical != d.i && d.p.Horizontal != d.i && d.p.Diagonal != d.i, $"image {d.i}: {d.p}"));

        Assert.All(new ContextMosaic(Probability: 0).Draw(7, 16, 64), p => Assert.False(p.HasNeighbours));
        Assert.False(mosaic.Draw(7, 1, 64).Single().HasNeighbours); // alone in its batch: nothing to put around it
        double share = new ContextMosaic(Probability: 0.3).Draw(11, 2000, 64).Count(p => p.HasNeighbours) / 2000.0;
        Assert.InRange(share, 0.25, 0.35);
        Assert.Throws<UserErrorException>(() => new ContextMosaic(Probability: 1.5));
        Assert.Throws<UserErrorException>(() => new ContextMosaic(Probability: double.NaN));
    }

    [Fact]
    public void TheLoaderShowsEachImageAmongTheAugmentedImagesOfItsBatch()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var options = LoaderOptions.Training with { BatchSize = 8, Augmentation = AugmentationPolicy.Dihedral };
        var withContext = new PatchLoader(dataset, options: options with { Context = new ContextMosaic(Probability: 0.5) });
        using var plain = new PatchLoader(dataset, options: options).Epoch(2).First();
        using var mixed = withContext.Epoch(2).First();
        var placements = withContext.Plan(2)[0].Placements!;

        Assert.Equal(plain.Paths, mixed.Paths);
        Assert.Equal(plain.Augmentations, mixed.Augmentations); // the placements have their own stream
        Assert.Equal(plain.Labels.data<long>().ToArray(), mixed.Labels.data<long>().ToArray());
        Assert.Contains(placements, p => p.HasNeighbours);
        Assert.Contains(placements, p => !p.HasNeighbours);
        var whole = plain.Images.data<float>().ToArray();
        var images = mixed.Images.data<float>().ToArray();
        int size = 3 * 64 * 64;
        for (int i = 0; i < placements.Count; i++)
            Assert.Equal(placements[i].HasNeighbours ? Reference(whole, i, placements[i], 3, 64) : whole.AsSpan(i * size, size).ToArray(),
                images.AsSpan(i * size, size).ToArray());
    }
}
