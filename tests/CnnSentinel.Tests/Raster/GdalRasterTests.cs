using CnnSentinel.Raster;

namespace CnnSentinel.Tests.Raster;

public class GdalRasterTests
{
    [Fact]
    public void ReadsTheBundledSceneAsRasterioDoes()
    {
        using var scene = GdalRaster.Open(TestRasters.Scene);
        Assert.Equal((1783, 1159, 3, "GTiff"), (scene.Width, scene.Height, scene.BandCount, scene.DriverName));
        Assert.Equal([543100.0, 10, 0, 5579500, 0, -10], scene.GeoReference!.GeoTransform);
        Assert.Contains("32633", scene.GeoReference.ProjectionWkt);
        Assert.Equal([ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue], Enumerable.Range(1, 3).Select(scene.ColorInterpretation));
        var window = scene.Read(700, 300, 5, 4, [3, 1]); // blue then red
        var expected = ExternalTools.Run("/usr/bin/python3", "-c", """
            import sys, rasterio
            from rasterio.windows import Window
            with rasterio.open(sys.argv[1]) as r:
                print(" ".join(str(v) for v in r.read([3, 1], window=Window(700, 300, 5, 4)).ravel()))
            """, TestRasters.Scene).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(float.Parse);
        Assert.Equal(expected, window);
    }

    [Fact]
    public void OpensJpeg2000AndStacksBandsOnTheFinestGrid()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var fine = Path.Combine(dir, "fine.tif");
        TestRasters.Write(fine, 4, 4, 1, Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), TestRasters.Utm10m(), RasterDataType.UInt16);
        var coarseTif = Path.Combine(dir, "coarse.tif");
        TestRasters.Write(coarseTif, 2, 2, 1, [100, 200, 300, 400], new GeoReference([500000, 20, 0, 5600000, 0, -20], TestRasters.Utm10m().ProjectionWkt), RasterDataType.UInt16);
        var coarse = Path.Combine(dir, "coarse.jp2");
        ExternalTools.Run("gdal_translate", "-q", "-of", "JP2OpenJPEG", "-co", "QUALITY=100", "-co", "REVERSIBLE=YES", coarseTif, coarse);

        using (var jp2 = GdalRaster.Open(coarse))
            Assert.Equal(("JP2OpenJPEG", 20.0), (jp2.DriverName, jp2.GeoReference!.GeoTransform[1]));
        using var stack = GdalRaster.Stack([coarse, fine]);
        Assert.Equal((4, 4, 2, "VRT"), (stack.Width, stack.Height, stack.BandCount, stack.DriverName));
        Assert.Equal(10.0, stack.GeoReference!.GeoTransform[1]);
        // Nearest-neighbour: each 20 m pixel covers 2 × 2 of the 10 m grid.
        Assert.Equal([100, 100, 200, 200, 100, 100, 200, 200, 300, 300, 400, 400, 300, 300, 400, 400], stack.Read(0, 0, 4, 4, [1]));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (float)i), stack.Read(0, 0, 4, 4, [2]));
    }

    [Fact]
    public void ErrorsNameTheFileAndTheProblem()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var text = Path.Combine(dir, "notes.tif");
        File.WriteAllText(text, "not a raster");
        var e = Assert.Throws<GdalException>(() => GdalRaster.Open(text));
        Assert.Contains(text, e.Message);
        Assert.Contains("not a raster GDAL can read", e.Message);
        Assert.Throws<FileNotFoundException>(() => GdalRaster.Open(Path.Combine(dir, "missing.tif")));
        using var scene = GdalRaster.Open(TestRasters.Scene);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => scene.Read(1780, 0, 10, 10));
        Assert.Contains("outside the raster", outside.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => scene.Read(0, 0, 1, 1, [4]));
    }

    [Fact]
    public void ReportsTheGdalVersion() => Assert.Matches(@"^3\.\d+", Gdal.Version);
}
