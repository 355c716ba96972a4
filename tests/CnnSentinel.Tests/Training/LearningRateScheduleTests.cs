using CnnSentinel.Training;

namespace CnnSentinel.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void StepAndCosineFollowTheirFormulas()
    {
        var step = LearningRateSchedule.Step(3, 0.5);
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.5, 0.25], Enumerable.Range(0, 7).Select(e => step.FactorFor(e)));
        var cosine = LearningRateSchedule.Cosine(4, minFactor: 0.1);
        Assert.Equal(1, cosine.FactorFor(0), 12);
        Assert.Equal(0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI / 4)), cosine.FactorFor(1), 12);
        Assert.Equal(0.1, cosine.FactorFor(4), 12);
        Assert.Equal(0.1, cosine.FactorFor(9), 12);
    }

    [Fact]
    public void PlateauReducesAfterPatienceEpochsWithoutImprovement()
    {
        var plateau = LearningRateSchedule.ReduceOnPlateau(factor: 0.1, patience: 2, minFactor: 0.005);
        double[] losses = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85];
        var factors = new List<double>();
        foreach (var loss in losses)
        {
            plateau.Observe(loss);
            factors.Add(plateau.FactorFor(0));
        }
        Assert.Equal([1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.005], factors.Select(f => Math.Round(f, 6)));
    }

    [Theory]
    [InlineData(0, 0.25, 0.25)]   // a quarter through the one-epoch warm-up
    [InlineData(0, 1.0, 1.0)]     // warm-up done
    [InlineData(2, 0.5, 0.5)]     // half-way through the cosine (epochs 1 … 4)
    [InlineData(4, 0.0, 0.0)]     // the end
    [InlineData(9, 0.0, 0.0)]     // beyond the end: stays at the minimum
    public void CosineWithWarmupFollowsTheStepsOfEachEpoch(int epoch, double fraction, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.Cosine(4, 0, 1).FactorFor(epoch, fraction), 9);

    [Fact]
    public void StepSchedulesChangeOnlyBetweenEpochs() =>
        Assert.Equal(1.0, LearningRateSchedule.Step(2).FactorFor(1, 0.99), 9);

    [Fact]
    public void AWarmupAsLongAsTheScheduleIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(2, 0, 2));
}
