using CnnSentinel.Evaluation;

namespace CnnSentinel.Tests.Evaluation;

public class ResultsTableTests
{
    [Fact]
    public void TheWilsonIntervalHasItsTextbookValues()
    {
        var (low, high) = ResultsTable.WilsonInterval(0.5, 100);
        Assert.Equal(0.4038, low, 4);
        Assert.Equal(0.5962, high, 4);
        var (zeroLow, zeroHigh) = ResultsTable.WilsonInterval(0, 10);
        Assert.Equal(0, zeroLow, 9);
        Assert.Equal(0.2775, zeroHigh, 4);
    }
}
