using CnnSentinel.Datasets;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Transforms;

public class ChannelNormalizationTests
{
    [Fact]
    public void OriginalPresetsAreTheInventoryConstants()
    {
        Assert.Equal([87.845, 96.965, 103.947], ChannelNormalization.OriginalRgb.Mean);
        Assert.Equal([23.657, 16.474, 13.793], ChannelNormalization.OriginalRgb.Std);
        Assert.Equal(13, ChannelNormalization.OriginalMultispectral.Bands);
        Assert.Equal(12.092, ChannelNormalization.OriginalMultispectral.Mean[9]);   // B10
        Assert.Equal(2602.579, ChannelNormalization.OriginalMultispectral.Mean[12]); // B8A, last
        Assert.Equal(503.181, ChannelNormalization.OriginalMultispectral.Std[12]);
        Assert.Same(ChannelNormalization.OriginalMultispectral, ChannelNormalization.OriginalFor(PatchFormat.Multispectral));
    }

    [Fact]
    public void TensorAndSpanPathsStandardiseEachBand()
    {
        var norm = new ChannelNormalization([10, 100], [2, 50]);
        var raw = new ushort[] { 10, 12, 14, 8, 100, 150, 0, 200 }; // 2 bands of 2 × 2
        var expected = new float[] { 0, 1, 2, -1, 0, 1, -2, 2 };
        var span = new float[8];
        norm.Apply(raw, span);
        Assert.Equal(expected, span);

        var chw = tensor(raw.Select(v => (float)v).ToArray(), [2, 2, 2]);
        Assert.Equal(expected, norm.Apply(chw).data<float>().ToArray());
        Assert.Equal(expected.Concat(expected), norm.Apply(stack([chw, chw])).data<float>().ToArray());
        Assert.Contains("3 bands", Assert.Throws<ArgumentException>(() => norm.Apply(zeros(3, 2, 2))).Message);
    }

    [Fact]
    public void StatisticsGiveANormalisationThatCentresTheSample()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledMultispectral);
        var norm = BandStatistics.Compute(dataset).ToNormalization(globalStd: true);
        var all = stack(dataset.Samples.Select(s => tensor(dataset.Read(s).Select(v => (float)v).ToArray(), [13, 64, 64])).ToArray());
        var standardised = norm.Apply(all);
        var mean = standardised.mean([0, 2, 3]).data<float>().ToArray();
        var std = standardised.std([0, 2, 3], unbiased: false).data<float>().ToArray();
        Assert.All(mean, m => Assert.InRange(m, -1e-3f, 1e-3f));
        Assert.All(std, s => Assert.InRange(s, 0.999f, 1.001f));
    }
}
