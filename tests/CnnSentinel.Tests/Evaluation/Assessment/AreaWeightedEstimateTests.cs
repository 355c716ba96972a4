using CnnSentinel.Evaluation.Assessment;

namespace CnnSentinel.Tests.Evaluation.Assessment;

public class AreaWeightedEstimateTests
{
    /// <summary>
    /// Olofsson et al. (2014), the worked example of section 5 (Tables 8 and 9): four map strata (deforestation, forest gain,
    /// stable forest, stable non-forest), 640 samples, 30 m pixels. The figures asserted are those the paper publishes.
    /// </summary>
    [Fact]
    public void ReproducesThePublishedExampleOfOlofssonEtAl2014()
    {
        long[,] counts = { { 66, 0, 5, 4 }, { 0, 55, 8, 12 }, { 1, 0, 153, 11 }, { 2, 1, 9, 313 } };
        double[] mappedPixels = [200_000, 150_000, 3_200_000, 6_450_000];
        var weights = mappedPixels.Select(p => p / mappedPixels.Sum()).ToList();
        var estimate = AreaWeightedEstimate.From(counts, weights);

        // Overall accuracy 0.95 ± 0.02; deforestation: user's 0.88 ± 0.07, producer's 0.75 ± 0.21, area 21,158 ± 6,158 ha.
        Assert.Equal(0.947, estimate.Overall.Value, 3);
        Assert.Equal(0.018, 1.96 * estimate.Overall.StandardError, 3);
        Assert.Equal(0.88, estimate.Users[0].Value, 2);
        Assert.Equal(0.07, 1.96 * estimate.Users[0].StandardError, 2);
        Assert.Equal(0.75, estimate.Producers[0].Value, 2);
        Assert.Equal(0.21, 1.96 * estimate.Producers[0].StandardError, 2);
        double hectares = mappedPixels.Sum() * 0.09;
        var area = estimate.Proportions[0].Times(hectares);
        Assert.Equal(21_158, area.Value, 0);
        Assert.Equal(6_158, area.High - area.Value, 0);
        // Forest gain: 11,686 ± 3,756 ha.
        Assert.Equal(11_686, estimate.Proportions[1].Times(hectares).Value, 0);
        Assert.Equal(3_756, 1.96 * estimate.Proportions[1].Times(hectares).StandardError, 0);
    }

    [Fact]
    public void StrataWithoutAGroupAreAlwaysWrongAndCarryTheirArea()
    {
        // One group; a second stratum (say, Uncertain) whose samples are all of the group: all its area is the group's, none right.
        long[,] counts = { { 3 }, { 2 } };
        var estimate = AreaWeightedEstimate.From(counts, [0.5, 0.5]);
        Assert.Equal(0.5, estimate.Overall.Value, 12);
        Assert.Equal(1.0, estimate.Proportions[0].Value, 12);
        Assert.Equal(0.5, estimate.Producers[0].Value, 12);
    }
}
