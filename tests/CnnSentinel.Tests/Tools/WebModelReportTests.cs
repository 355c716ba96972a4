using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class WebModelReportTests
{
    static WebModelReport Sample(long int8Bytes = 15_900_000, double mosaicAgreement = 0.99497, double sceneSeconds = 127.3) =>
        new("m.safetensors", "scene.tif", 1783, 1159, "eurosat-rgb", 10, 16, "WebAssembly, 2 threads",
            new WebModelSide(int8Bytes, sceneSeconds, 27.7, 37.9), new WebModelSide(63_600_000, 123.8, 27.0, 41.2),
            0.9796, mosaicAgreement, 0.996, 1, "2 cores");

    [Fact]
    public void EachFigureStandsBesideItsAnchorAndGoal()
    {
        var table = Sample().Markdown();
        Assert.Contains("| model file | **15.90 MB** | 63.60 MB | ≤ 16 MB: met |", table);
        // Three decimals, so that a share just under the goal does not show as the goal.
        Assert.Contains("| pixels labelled as by float32, mosaic | **99.497 %** | 100 % | ≥ 99.5 %: missed (100 % of the differing pixels Uncertain on one side) |", table);
        Assert.Contains("| bundled scene mapped in the page | **127.3 s** | 123.8 s | ≤ 60 s: missed |", table);
        var met = Sample(mosaicAgreement: 0.996, sceneSeconds: 59).Markdown();
        Assert.Contains("≥ 99.5 %: met", met);
        Assert.Contains("≤ 60 s: met", met);
        Assert.Contains("≤ 16 MB: missed", Sample(int8Bytes: 16_000_001).Markdown());
    }

    [Fact]
    public void AReportReadsBackAsWrittenAndABadFileIsNamed()
    {
        var folder = Directory.CreateTempSubdirectory("web-model-report-");
        try
        {
            Assert.Null(WebModelReport.Section(folder.FullName));
            var path = Path.Combine(folder.FullName, WebModelReport.FileName);
            Sample().Write(path);
            Assert.Equal(Sample(), WebModelReport.Read(path));
            Assert.Equal(Sample().Markdown(), WebModelReport.Section(folder.FullName));
            File.WriteAllText(path, "{ \"model\": \"m\" }");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => WebModelReport.Read(path)).Message);
        }
        finally { folder.Delete(recursive: true); }
    }
}
