using CnnSentinel.Evaluation;

namespace CnnSentinel.Tests.Evaluation;

public class ConfusionMatrixTests
{
    static readonly string[] Classes = ["AnnualCrop", "Forest", "River"];

    // truth:     0 0 0 0 1 1 1 2 2 2
    // predicted: 0 0 0 1 1 1 0 2 2 1
    static ConfusionMatrix Example() => ConfusionMatrix.From(Classes,
        [0, 0, 0, 0, 1, 1, 1, 2, 2, 2],
        [0, 0, 0, 1, 1, 1, 0, 2, 2, 1]);

    [Fact]
    public void FiguresMatchAHandComputation()
    {
        var m = Example();
        // counts: [[3,1,0],[1,2,0],[0,1,2]]
        Assert.Equal(3, m[0, 0]);
        Assert.Equal(1, m[2, 1]);
        Assert.Equal(10, m.Total);
        Assert.Equal(0.7, m.OverallAccuracy, 12);
        Assert.Equal((3 / 4.0 + 2 / 3.0 + 2 / 3.0) / 3, m.AverageAccuracy, 12);
        Assert.Equal(3 / 4.0, m.Precision(0), 12);
        Assert.Equal(2 / 4.0, m.Precision(1), 12);
        Assert.Equal(2 * 0.5 * (2 / 3.0) / (0.5 + 2 / 3.0), m.F1(1), 12);
        // chance agreement: (4*4 + 3*4 + 3*2) / 100 = 0.34; kappa = (0.7 - 0.34) / 0.66
        Assert.Equal((0.7 - 0.34) / 0.66, m.Kappa, 12);
    }

    [Fact]
    public void AClassThatNeverOccursIsLeftOutOfTheAverage()
    {
        var m = ConfusionMatrix.From(Classes, [0, 0, 1], [0, 1, 1]);
        Assert.True(double.IsNaN(m.Recall(2)));
        Assert.True(double.IsNaN(m.Precision(2)));
        Assert.Equal((0.5 + 1.0) / 2, m.AverageAccuracy, 12);
    }

    [Fact]
    public void RejectsMisalignedOrOutOfRangeInput()
    {
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.From(Classes, [0, 1], [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From(Classes, [3], [0]));
    }

    [Fact]
    public void HtmlShowsClassNamesCountsAndFigures()
    {
        var html = Example().ToHtml();
        // Rows by index and name; predicted columns by index, the name on hovering (ten classes fit a page).
        for (int c = 0; c < Classes.Length; c++)
        {
            Assert.Contains($"<th style=\"text-align:left\">{c} {Classes[c]}</th>", html);
            Assert.Contains($"<th title=\"{Classes[c]}\">{c}</th>", html);
        }
        Assert.Contains("<td><b>3</b></td>", html);
        Assert.Contains("overall accuracy 0.700", html);
        Assert.Contains("kappa 0.545", html);
    }
}
