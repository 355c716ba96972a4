using CnnSentinel.Notebooks;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Notebooks;

public class TensorViewTests
{
    [Fact]
    public void StatisticsMatchADirectComputationAndIgnoreNaN()
    {
        var values = new[] { 1f, 2f, float.NaN, 4f, 8f };
        var s = TensorView.Summarize(tensor(values))!;
        var finite = values.Where(v => !float.IsNaN(v)).Select(v => (double)v).ToArray();
        var mean = finite.Average();
        Assert.Equal(1, s.Min);
        Assert.Equal(8, s.Max);
        Assert.Equal(mean, s.Mean, 12);
        Assert.Equal(Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / finite.Length), s.Std, 12);
        Assert.Equal(1, s.NaNs);
        Assert.Equal(5, s.Count);
    }

    [Fact]
    public void PreviewKeepsTheFirstValuesOfEachDimension()
    {
        var t = arange(2 * 5 * 10 * 10).reshape(2, 5, 10, 10);
        var (preview, truncated) = TensorView.Preview(t);
        Assert.True(truncated);
        Assert.Equal(new long[] { 2, 2, 6, 6 }, preview.shape);
        Assert.Equal(t[1, 1, 5, 5].item<long>(), preview[1, 1, 5, 5].item<long>());
        Assert.False(TensorView.Preview(arange(4)).Truncated);
    }

    [Fact]
    public void HtmlShowsShapeDtypeAndStatistics()
    {
        var html = TensorView.ToHtml(arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4));
        Assert.Contains("[2, 3, 4]", html);
        Assert.Contains("Float32", html);
        Assert.Contains("0 / 23", html);
        Assert.Contains("11.5", html);
    }

    [Fact]
    public void EmptyAndBooleanTensorsHaveNoStatistics()
    {
        Assert.Null(TensorView.Summarize(zeros(0)));
        Assert.Null(TensorView.Summarize(ones(3, dtype: ScalarType.Bool)));
        Assert.Contains("[0]", TensorView.ToHtml(zeros(0)));
    }
}
