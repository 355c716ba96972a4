using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Tools;

public class WebModelReportTests
{
    static WebModelReport Sample(long pageBytes = 15_900_000, double mosaicAgreement = 0.99497, double sceneSeconds = 127.3) =>
        new("m.safetensors", "scene.tif", 1783, 1159, "eurosat-rgb", 10, 16, "WebAssembly, 2 threads", "500 patches of data/eurosat-rgb",
            new WebModelSide(pageBytes, sceneSeconds, 27.7, 37.9, 0.9796, mosaicAgreement, 0.996, 1),
            new WebModelSide(15_890_000, 130.1, 28.0, 38.5, 0.9850, 0.9965, 0.998, 1),
            new WebModelSide(63_600_000, 123.8, 27.0, 41.2, 1, 1, 0, 0), "2 cores");

    [Fact]
    public void EachFigureStandsBesideItsAnchorAndGoal()
    {
        var table = Sample().Markdown();
        Assert.Contains("calibrated on 500 patches of data/eurosat-rgb", table);
        Assert.Contains("| model file | **15.90 MB** | 15.89 MB | 63.60 MB | ≤ 16 MB: met |", table);
        // Three decimals, so that a share just under the goal does not show as the goal.
        Assert.Contains("| pixels labelled as by float32, mosaic | **99.497 %** | 99.650 % | 100 % | ≥ 99.5 %: missed (100 % of the page model's differing pixels Uncertain on one side) |", table);
        Assert.Contains("| pixels labelled as by float32, scene | **97.960 %** | 98.500 % | 100 % | (100 % of the page model's differing pixels Uncertain on one side) |", table);
        Assert.Contains("| bundled scene mapped in the page | **127.3 s** | 130.1 s | 123.8 s | ≤ 60 s: missed |", table);
        Assert.Contains("| mosaic mapped in the page, then on one WebAssembly thread | **27.7 s**, 37.9 s | 28.0 s, 38.5 s | 27.0 s, 41.2 s | |", table);
        var met = Sample(mosaicAgreement: 0.996, sceneSeconds: 59).Markdown();
        Assert.Contains("≥ 99.5 %: met", met);
        Assert.Contains("≤ 60 s: met", met);
        Assert.Contains("≤ 16 MB: missed", Sample(pageBytes: 16_000_001).Markdown());
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
