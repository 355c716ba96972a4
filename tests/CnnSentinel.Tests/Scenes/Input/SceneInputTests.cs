using CnnSentinel.Datasets;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Scenes;

public class SceneInputTests
{
    /// <summary>Writes a SAFE-like product of 13 single-band files, each pixel = the band's position in EuroSAT order, at its native resolution.</summary>
    static string FakeProduct(string dir, bool withB10 = true)
    {
        var wkt = TestRasters.Utm10m().ProjectionWkt;
        var resolution = new Dictionary<string, int>
        {
            ["B01"] = 60, ["B02"] = 10, ["B03"] = 10, ["B04"] = 10, ["B05"] = 20, ["B06"] = 20, ["B07"] = 20,
            ["B08"] = 10, ["B09"] = 60, ["B10"] = 60, ["B11"] = 20, ["B12"] = 20, ["B8A"] = 20,
        };
        foreach (var (band, metres) in resolution.OrderBy(p => p.Key.GetHashCode())) // written in no particular order
        {
            if (band == "B10" && !withB10) continue;
            var folder = Path.Combine(dir, "S2B_MSIL1C_20220316T100029_N0400_R122_T33UWR.SAFE", "GRANULE", "L1C_T33UWR", "IMG_DATA", $"R{metres}m");
            Directory.CreateDirectory(folder);
            int size = 60 / metres * 2;
            float value = SentinelBands.Names.ToList().IndexOf(band);
            TestRasters.Write(Path.Combine(folder, $"T33UWR_20220316T100031_{band}_{metres}m.tif"), size, size, 1,
                Enumerable.Repeat(value, size * size).ToArray(), new GeoReference([500000, metres, 0, 5600000, 0, -metres], wkt), RasterDataType.UInt16);
        }
        return Path.Combine(dir, "S2B_MSIL1C_20220316T100029_N0400_R122_T33UWR.SAFE");
    }

    [Fact]
    public void ACopiedWindowHoldsTheSceneWindowWhereItLies()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var cropPath = Path.Combine(dir, "crop.tif");
        using (var scene = SceneInput.Open(TestRasters.Scene, 3))
        {
            Assert.Equal((scene.Raster.Width, scene.Raster.Height), (scene.Width, scene.Height));
            scene.CopyWindow(600, 400, 40, 30, cropPath);
        }
        using var whole = GdalRaster.Open(TestRasters.Scene);
        using var crop = GdalRaster.Open(cropPath);
        Assert.Equal((40, 30, 3), (crop.Width, crop.Height, crop.BandCount));
        Assert.Equal(whole.Read(600, 400, 40, 30), crop.Read(0, 0, 40, 30));
        Assert.Equal(whole.GeoReference!.Offset(600, 400).GeoTransform, crop.GeoReference!.GeoTransform);
        Assert.Equal(whole.GeoReference.ProjectionWkt, crop.GeoReference.ProjectionWkt);
    }

    [Fact]
    public void StacksAProductInEuroSatBandOrderWithB8ALastAt10m()
    {
        var product = FakeProduct(TestEnvironment.NewTempDirectory());
        // A coarser copy of B02 must not be taken over the 10 m one (Level-2A products carry several).
        var coarser = Path.Combine(product, "GRANULE", "L1C_T33UWR", "IMG_DATA", "R20m", "T33UWR_20220316T100031_B02_20m.tif");
        File.Copy(Path.Combine(product, "GRANULE", "L1C_T33UWR", "IMG_DATA", "R20m", "T33UWR_20220316T100031_B05_20m.tif"), coarser);
        using var input = SceneInput.Open(product, 13);
        Assert.Equal(SentinelBands.Names, input.BandNames);
        Assert.Equal((12, 12, 13), (input.Raster.Width, input.Raster.Height, input.Raster.BandCount));
        Assert.Equal(10.0, input.Raster.GeoReference!.GeoTransform[1]);
        var pixels = input.Raster.Read(0, 0, 12, 12, input.Bands);
        for (int b = 0; b < 13; b++) Assert.All(pixels.AsSpan(b * 144, 144).ToArray(), v => Assert.Equal(b, v));
    }

    [Fact]
    public void AMissingBandIsNamed()
    {
        var product = FakeProduct(TestEnvironment.NewTempDirectory(), withB10: false);
        var e = Assert.Throws<InvalidDataException>(() => SceneInput.Open(product, 13));
        Assert.Contains("no file for band B10", e.Message);
        Assert.Contains("Level-2A products have no B10", e.Message);
    }

    [Fact]
    public void WrongBandCountOrOrderIsRefused()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var twoBands = Path.Combine(dir, "two.tif");
        TestRasters.Write(twoBands, 8, 8, 2, new float[128], TestRasters.Utm10m());
        var e = Assert.Throws<InvalidDataException>(() => SceneInput.Open(twoBands, 3));
        Assert.Contains(twoBands, e.Message);
        Assert.Contains("has 2 band(s) but the model needs 3 (B04, B03, B02)", e.Message);

        var swapped = Path.Combine(dir, "swapped.tif");
        using (var writer = GeoTiffWriter.Create(swapped, 8, 8, 13, RasterDataType.UInt16, TestRasters.Utm10m(),
                   new GeoTiffOptions(CloudOptimized: false, BandDescriptions: [.. SentinelBands.Names.Take(7), "B8A", "B09", "B10", "B11", "B12", "B08"])))
            writer.Commit();
        using (var reordered = SceneInput.Open(swapped, 13)) // named: taken by name, B08 from band 13 and B8A from band 8
            Assert.Equal([1, 2, 3, 4, 5, 6, 7, 13, 9, 10, 11, 12, 8], reordered.Bands);

        using var scene = SceneInput.Open(TestRasters.Scene, 3); // tagged red, green, blue: accepted
        Assert.Equal([1, 2, 3], scene.Bands);
    }

    [Fact]
    public void NamedBandsArePickedByNameFromAnyStack()
    {
        var dir = TestEnvironment.NewTempDirectory();
        // As the Leipzig reference raster: lower-case names, more bands than the model reads, one not a band at all.
        string[] names = ["b02", "b03", "b04", "b06", "b07", "b08", "b11", "ndvi"];
        var stack = Path.Combine(dir, "stack.tif");
        var values = new float[names.Length * 16];
        for (int b = 0; b < names.Length; b++) Array.Fill(values, 100f * (b + 1), b * 16, 16);
        using (var writer = GeoTiffWriter.Create(stack, 4, 4, names.Length, RasterDataType.Float32, TestRasters.Utm10m(),
                   new GeoTiffOptions(CloudOptimized: false, BandDescriptions: names)))
        {
            for (int b = 0; b < names.Length; b++) writer.Write(b + 1, 0, 0, 4, 4, values.AsSpan(b * 16, 16).ToArray());
            writer.Commit();
        }
        using (var rgb = SceneInput.Open(stack, 3))
        {
            Assert.Equal([3, 2, 1], rgb.Bands);
            Assert.Equal(SentinelBands.TrueColourNames, rgb.BandNames);
            var red = rgb.Raster.Read(0, 0, 4, 4, rgb.Bands);
            Assert.Equal(300f, red[0]); // b04 first
            Assert.Equal(100f, red[^1]); // b02 last
        }
        var missing = Assert.Throws<InvalidDataException>(() => SceneInput.Open(stack, 13));
        Assert.Contains(stack, missing.Message);
        Assert.Contains("missing B01, B05, B09, B10, B12, B8A", missing.Message);

        var doubled = Path.Combine(dir, "doubled.tif");
        using (var writer = GeoTiffWriter.Create(doubled, 4, 4, 4, RasterDataType.UInt16, TestRasters.Utm10m(),
                   new GeoTiffOptions(CloudOptimized: false, BandDescriptions: ["B04", "B03", "B02", "b02"])))
            writer.Commit();
        Assert.Contains("band B02 is named more than once", Assert.Throws<InvalidDataException>(() => SceneInput.Open(doubled, 3)).Message);
    }

    [Theory]
    [InlineData("T33UWR_20220316T100031_B8A_20m.jp2", "B8A")]
    [InlineData("T33UWR_20220316T100031_B02.jp2", "B02")]
    [InlineData("b12.tif", "B12")]
    [InlineData("T33UWR_20220316T100031_TCI_10m.jp2", null)]
    [InlineData("B13.tif", null)]
    public void BandNamesComeFromFileNames(string file, string? band) => Assert.Equal(band, ProductBandFiles.BandOf(file));
}
