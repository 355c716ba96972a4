using CnnSentinel.Notebooks;

namespace CnnSentinel.Tests.Notebooks;

public class TableTests
{
    [Fact]
    public void RowsOfAnonymousObjectsBecomeOneFlatTableWithRoundedNumbers()
    {
        var table = Table.Of(new[] { new { run = "02_rgb", accuracy = 0.27999999999999997, images = 4200, seconds = 4.409000000000001 }, new { run = "<03>", accuracy = 0.1, images = 12, seconds = 1234.6 } });
        Assert.Equal(["run", "accuracy", "images", "seconds"], table.Columns);
        var html = table.ToHtml();
        Assert.Contains("<th>run</th><th>accuracy</th><th>images</th><th>seconds</th>", html);
        Assert.Contains("<td style=\"text-align:left\">02_rgb</td><td style=\"text-align:right\">0.280</td><td style=\"text-align:right\">4,200</td><td style=\"text-align:right\">4.409</td>", html);
        Assert.Contains("&lt;03&gt;", html);
        Assert.Contains(">1,235<", html);
        Assert.Equal("run\taccuracy\timages\tseconds\n02_rgb\t0.280\t4,200\t4.409\n<03>\t0.100\t12\t1,235", table.ToString());
    }
}
