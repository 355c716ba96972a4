using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using SkiaSharp;

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
    public void WithPixelCountsTheLegendListsOnlyTheMasksTheMapHolds()
    {
        // A map of AnnualCrop and Cloud: Uncertain, Cirrus, CloudShadow and Snow cannot be in it, so the legend leaves them out.
        using var map = ClassMapImage.Colorize([0, 0, (byte)MapMask.Cloud, 0], 2, 2, ClassLegend.EuroSat);
        var counts = new long[ClassLegend.ValueCount];
        counts[0] = 3;
        counts[(int)MapMask.Cloud] = 1;
        using var figure = ClassMapImage.Figure([("map", map)], ClassLegend.EuroSat, panelHeight: 100, pixelCounts: counts);
        bool Drawn(RgbColor c) => Enumerable.Range(0, figure.Height).SelectMany(y => Enumerable.Range(0, figure.Width).Select(x => figure.GetPixel(x, y)))
            .Any(p => (p.Red, p.Green, p.Blue) == (c.R, c.G, c.B));
        Assert.True(Drawn(ClassLegend.EuroSat.Classes[9].Color), "every class is listed (SeaLake's swatch)");
        Assert.True(Drawn(ClassLegend.Masks.Single(m => m.Value == (int)MapMask.Cloud).Color));
        foreach (var absent in new[] { MapMask.Cirrus, MapMask.Snow })
            Assert.False(Drawn(ClassLegend.Masks.Single(m => m.Value == (int)absent).Color), $"{absent} is listed");
    }

    [Fact]
    public void AGeoreferencedPreviewHasAScaleBarANorthArrowAndTheDate()
    {
        // A uniform Forest panel: black appears only where the scale bar and the arrow are drawn.
        using var map = ClassMapImage.Colorize(Enumerable.Repeat((byte)1, 200 * 100).ToArray(), 200, 100, ClassLegend.EuroSat);
        int BlackIn(SKBitmap figure, int fromX, int toX, int fromY, int toY) =>
            Enumerable.Range(fromY, toY - fromY).Sum(y => Enumerable.Range(fromX, toX - fromX).Count(x => figure.GetPixel(x, y) is { Red: < 40, Green: < 40, Blue: < 40 }));
        // Panel at x 12..412, y 34..234 (gap 12, title 22, panel 200 px high: 2 figure pixels per map pixel).
        using var plain = ClassMapImage.Figure([("map", map)], ClassLegend.EuroSat, panelHeight: 200);
        using var annotated = ClassMapImage.Figure([("map", map)], ClassLegend.EuroSat, panelHeight: 200, metresPerPixel: 10, caption: "acquired 2022-03-16");
        Assert.Equal(0, BlackIn(plain, 12, 412, 34, 234));
        Assert.True(BlackIn(annotated, 12, 112, 194, 234) > 100, "a scale bar at the lower left");
        Assert.True(BlackIn(annotated, 372, 412, 34, 84) > 50, "a north arrow at the upper right");
        Assert.True(BlackIn(annotated, 12, 200, 234, annotated.Height) > 20, "the caption under the panel");

        // 10 m pixels drawn at 2 figure pixels each: a quarter of the 400 px panel is 1 km, the longest round length that fits.
        var t = new GeoReference([500000, 10, 0, 5800000, 0, -10], "PROJCS[\"WGS 84 / UTM zone 33N\",UNIT[\"metre\",1]]");
        Assert.Equal(40.0, SceneMapWriter.PreviewMetresPerPixel(t, scale: 4));
        Assert.Null(SceneMapWriter.PreviewMetresPerPixel(t with { ProjectionWkt = "GEOGCS[\"WGS 84\",UNIT[\"degree\",0.0174532925199433]]" }, 1));
        Assert.Null(SceneMapWriter.PreviewMetresPerPixel(t with { GeoTransform = [500000, 10, 1, 5800000, 1, -10] }, 1));
        Assert.Equal("acquired 2022-03-16 (from the file name)",
            SceneMapWriter.AcquisitionCaption("data/scene/S2A_MSIL2A_20220316T100031_N0400_R122_T33UWR_20220316T134748_TCI_10m.tif"));
        Assert.Null(SceneMapWriter.AcquisitionCaption("out/mosaic.tif"));
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
