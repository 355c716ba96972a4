using CnnSentinel.Raster;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Scenes;

public class ClassMapImageTests
{
    [Fact]
    public void MasksAreColouredAsTheLegendSaysAndNoDataIsTransparent()
    {
        using var bitmap = ClassMapImage.Colorize([5, (byte)MapMask.Cloud, SceneClassifier.NoDataClass], 3, 1, ClassLegend.EuroSat);
        var pasture = ClassLegend.EuroSat.Classes[5].Color;
        var cloud = ClassLegend.Masks.Single(m => m.Name == nameof(MapMask.Cloud)).Color;
        Assert.Equal((pasture.R, pasture.G, pasture.B, (byte)255), (bitmap.GetPixel(0, 0).Red, bitmap.GetPixel(0, 0).Green, bitmap.GetPixel(0, 0).Blue, bitmap.GetPixel(0, 0).Alpha));
        Assert.Equal((cloud.R, cloud.G, cloud.B), (bitmap.GetPixel(1, 0).Red, bitmap.GetPixel(1, 0).Green, bitmap.GetPixel(1, 0).Blue));
        Assert.Equal(0, bitmap.GetPixel(2, 0).Alpha);
    }

    [Fact]
    public void TheFigureLegendListsClassesMasksAndNoData()
    {
        using var map = ClassMapImage.Colorize(new byte[4], 2, 2, ClassLegend.EuroSat);
        using var figure = ClassMapImage.Figure([("map", map)], ClassLegend.EuroSat, panelHeight: 100);
        // The legend is taller than the panel: one row per class and mask, nodata, and a gap before the masks.
        Assert.True(figure.Height > (ClassLegend.EuroSat.Entries.Count + 1) * 20, $"figure {figure.Height} px high");
        var snow = ClassLegend.Masks[^1].Color;
        Assert.Contains(Enumerable.Range(0, figure.Height).SelectMany(y => Enumerable.Range(0, figure.Width).Select(x => figure.GetPixel(x, y))),
            p => (p.Red, p.Green, p.Blue) == (snow.R, snow.G, snow.B)); // the last mask's swatch is drawn
    }

    [Fact]
    public void AnEightBitSceneIsShownWithItsOwnValues()
    {
        var dir = TestEnvironment.NewTempDirectory();
        try
        {
            var crop = TestRasters.SceneCrop(dir, 600, 400, 16, 12);
            using var scene = SceneInput.Open(crop, 3);
            using var bitmap = ClassMapImage.TrueColor(scene);
            var raw = scene.Raster.Read(0, 0, 16, 12);
            Assert.Equal((16, 12), (bitmap.Width, bitmap.Height));
            for (int p = 0; p < 16 * 12; p++)
            {
                var pixel = bitmap.GetPixel(p % 16, p / 16);
                Assert.Equal(((byte)raw[p], (byte)raw[192 + p], (byte)raw[384 + p]), (pixel.Red, pixel.Green, pixel.Blue));
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ASixteenBitSceneGetsOneStretchForAllThreeBands()
    {
        var dir = TestEnvironment.NewTempDirectory();
        try
        {
            // Red 1000–1099, green 500–599, blue 0–99 over 100 pixels: one shared 2–98 % stretch keeps red brightest.
            var values = Enumerable.Range(0, 100).Select(i => 1000f + i).Concat(Enumerable.Range(0, 100).Select(i => 500f + i)).Concat(Enumerable.Range(0, 100).Select(i => (float)i)).ToArray();
            var path = Path.Combine(dir, "reflectance.tif");
            TestRasters.Write(path, 10, 10, 3, values, TestRasters.Utm10m(), RasterDataType.UInt16);
            using var scene = SceneInput.Open(path, 3);
            using var bitmap = ClassMapImage.TrueColor(scene);
            var first = bitmap.GetPixel(0, 0);
            var last = bitmap.GetPixel(9, 9);
            Assert.Equal(255, last.Red);     // above the 98th percentile of all three bands
            Assert.Equal(0, first.Blue);     // below the 2nd
            Assert.InRange(first.Green, 100, 140); // 500 sits near the middle of the shared range, not stretched to its own band's ends
            Assert.True(first.Red > first.Green && first.Green > first.Blue);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
