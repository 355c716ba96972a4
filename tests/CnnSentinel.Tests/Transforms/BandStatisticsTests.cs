using CnnSentinel.Datasets;
using CnnSentinel.Transforms;

namespace CnnSentinel.Tests.Transforms;

public class BandStatisticsTests
{
    [Fact]
    public void MatchesADirectComputationOnTheBundledSample()
    {
        foreach (var root in new[] { PatchFixtures.BundledRgb, PatchFixtures.BundledMultispectral })
        {
            var dataset = EuroSatDataset.Open(root);
            var stats = BandStatistics.Compute(dataset);
            var images = dataset.Samples.Select(dataset.Read).ToList();
            int plane = 64 * 64;
            Assert.Equal(images.Count, stats.Images);
            Assert.Equal(images.Count * plane, stats.PixelsPerBand);
            for (int b = 0; b < dataset.BandCount; b++)
            {
                var all = images.SelectMany(p => p.Skip(b * plane).Take(plane)).Select(v => (double)v).ToArray();
                double mean = all.Average();
                double global = Math.Sqrt(all.Sum(v => (v - mean) * (v - mean)) / all.Length);
                double meanOfStds = images.Average(p =>
                {
                    var band = p.Skip(b * plane).Take(plane).Select(v => (double)v).ToArray();
                    double m = band.Average();
                    return Math.Sqrt(band.Sum(v => (v - m) * (v - m)) / band.Length);
                });
                Assert.Equal(mean, stats.Mean[b], 1e-9 * mean);
                Assert.Equal(global, stats.GlobalStd[b], 1e-9 * global);
                Assert.Equal(meanOfStds, stats.MeanOfImageStd[b], 1e-9 * meanOfStds);
                Assert.True(stats.GlobalStd[b] > stats.MeanOfImageStd[b], $"{root} band {b}: the global std includes differences between images");
            }
        }
    }

    [Fact]
    public void KnownValuesOfTwoTinyImages()
    {
        var accumulator = new BandStatisticsAccumulator(2);
        accumulator.Add(new ushort[] { 0, 2, 10, 10 });   // band 0: 0, 2 (std 1); band 1: 10, 10 (std 0)
        accumulator.Add(new ushort[] { 4, 6, 20, 20 });   // band 0: 4, 6 (std 1); band 1: 20, 20 (std 0)
        var stats = accumulator.Result(["a", "b"]);
        Assert.Equal([3.0, 15.0], stats.Mean);
        Assert.Equal([1.0, 0.0], stats.MeanOfImageStd);
        Assert.Equal(Math.Sqrt(5), stats.GlobalStd[0], 12); // 0, 2, 4, 6 around 3
        Assert.Equal(5.0, stats.GlobalStd[1], 12);
        Assert.Throws<InvalidOperationException>(() => new BandStatisticsAccumulator(3).Result(["a", "b", "c"]));
    }
}
