using CnnSentinel.Export;
using TorchSharp;

namespace CnnSentinel.Tests.Export;

public class Int8RoundingTests
{
    /// <summary>A channel's squared rounding error at <paramref name="scale"/>, in plain arithmetic.</summary>
    static double Error(float[] channel, double scale) =>
        channel.Sum(v => Math.Pow(Math.Clamp(Math.Round(v / scale, MidpointRounding.ToEven), -127, 127) * scale - v, 2));

    /// <summary>
    /// Weights on the grid of 0.995 of the largest magnitude (k × 0.995 / 127, k = 1…100) beside that largest one: the
    /// largest-magnitude scale (1/127) rounds each of them off by up to half a step; the scale 0.995/127 holds them exactly
    /// and clips the largest weight by 0.005, which costs less. The scale chosen is the best of the fractions tried, worked
    /// out here one by one in double arithmetic.
    /// </summary>
    [Fact]
    public void AnOutlierIsClippedWhereThatRoundsTheOtherWeightsWithLessError()
    {
        float[] channel = [1f, .. Enumerable.Range(1, 100).Select(k => (float)(k * 0.995 / 127))];
        var (values, scales) = Int8Rounding.PerOutputChannel(torch.tensor(channel).reshape(1, -1));
        using (values)
        using (scales)
        {
            var scale = scales.data<float>()[0];
            var best = Int8Rounding.ClipFractions.Select(f => (float)(f / 127.0)).MinBy(s => Error(channel, s));
            Assert.Equal(best, scale, 1e-8f);
            Assert.Equal(0.995f / 127, scale, 1e-8f);
            Assert.True(Error(channel, scale) < 0.1 * Error(channel, 1 / 127.0), $"error {Error(channel, scale)} against {Error(channel, 1 / 127.0)}");
            var q = values.data<sbyte>().ToArray();
            Assert.Equal(127, q[0]);
            Assert.Equal(Enumerable.Range(1, 100).Select(k => (sbyte)k), q.Skip(1));
        }
    }

    /// <summary>
    /// Weights already on the grid of the largest magnitude round to themselves (error 0, the largest scale kept, as the
    /// first tried); a channel of zeros gets scale 1 and zeros; each channel gets its own scale.
    /// </summary>
    [Fact]
    public void WeightsOnTheGridStayExactAndChannelsOfZerosGetScaleOne()
    {
        var grid = Enumerable.Range(-127, 255).Select(k => k * 0.25f).ToArray();
        var weight = torch.stack([torch.tensor(grid), torch.zeros(255)]).reshape(2, 255, 1, 1);
        var (values, scales) = Int8Rounding.PerOutputChannel(weight);
        using (weight)
        using (values)
        using (scales)
        {
            Assert.Equal([2L, 255, 1, 1], values.shape);
            Assert.Equal(torch.ScalarType.Int8, values.dtype);
            Assert.Equal([0.25f, 1f], scales.data<float>().ToArray());
            var q = values.reshape(2, -1).data<sbyte>().ToArray();
            Assert.Equal(Enumerable.Range(-127, 255).Select(k => (sbyte)k), q.Take(255));
            Assert.All(q.Skip(255), v => Assert.Equal(0, v));
        }
    }

    /// <summary>
    /// On random weights with heavy tails, every channel's error is at most the largest-magnitude scale's (which is
    /// among the fractions tried) and, summed, below it.
    /// </summary>
    [Fact]
    public void NoChannelRoundsWorseThanWithItsLargestMagnitudeScale()
    {
        using var normal = torch.randn(32, 3 * 3 * 16, generator: new torch.Generator(5));
        using var weight = normal.pow(3); // heavy tails, as trained convolutions have
        var (values, scales) = Int8Rounding.PerOutputChannel(weight);
        using (values)
        using (scales)
        {
            double chosen = 0, largest = 0;
            for (long c = 0; c < 32; c++)
            {
                var channel = weight[c].data<float>().ToArray();
                var scale = scales.data<float>()[c];
                var e = Error(channel, scale);
                var l = Error(channel, channel.Max(Math.Abs) / 127.0);
                Assert.True(e <= l * (1 + 1e-5), $"channel {c}: {e} against {l}");
                var q = values[c].data<sbyte>().ToArray();
                Assert.Equal(channel.Select(v => (sbyte)Math.Clamp(MathF.Round(v / scale, MidpointRounding.ToEven), -127, 127)), q);
                (chosen, largest) = (chosen + e, largest + l);
            }
            Assert.True(chosen < largest, $"summed error {chosen} against {largest}");
        }
    }
}
