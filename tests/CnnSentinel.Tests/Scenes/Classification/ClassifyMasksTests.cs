using CnnSentinel.Raster;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Scenes;

/// <summary>Clouds through <c>classify</c> as a user runs it, with the shipped model: never a land-use class on a cloud.</summary>
public class ClassifyMasksTests
{
    static (int Code, string Output) Classify(params string[] arguments)
    {
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "classify", .. arguments]);
        return (code, stdout + stderr);
    }

    static byte[] ClassesOf(SceneOutputPaths outputs)
    {
        using var map = GdalRaster.Open(outputs.Classes);
        return map.Read(0, 0, map.Width, map.Height).Select(v => (byte)v).ToArray();
    }

    [Fact]
    public void BrightWhitePixelsOfATciAreCloudAndWindowsFullOfCloudGetNoClass()
    {
        var dir = TestEnvironment.NewTempDirectory();
        // A crop of the bundled Level-2A TCI over the cumulus east of the centre, with the product's name kept so it is detected.
        var crop = Path.Combine(dir, Path.GetFileName(TestRasters.Scene));
        File.Move(TestRasters.SceneCrop(dir, 1150, 330, 128, 96), crop);
        var outDir = Path.Combine(dir, "maps");
        var run = Classify(crop, "--model", ProjectPaths.ShippedRgbModel, "--out", outDir, "--stride", "32");
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("input read as TciL2A, fed unconverted", run.Output);
        Assert.Contains("clouds by the bright-and-white test", run.Output);

        using var raster = GdalRaster.Open(crop);
        const int width = 128, height = 96;
        var values = raster.Read(0, 0, width, height);
        var classes = ClassesOf(SceneOutputPaths.For(outDir, crop, allProbabilities: false));
        // The test written out: reflectance = value / 255 × 0.2; all three ≥ 0.15 and (max − min) / mean ≤ 0.2 …
        var brightWhite = new bool[classes.Length];
        for (int i = 0; i < classes.Length; i++)
        {
            var rgb = new[] { values[i], values[classes.Length + i], values[2 * classes.Length + i] }.Select(v => v / 255.0 * 0.2).ToArray();
            brightWhite[i] = rgb.Min() >= 0.15 && (rgb.Max() - rgb.Min()) / rgb.Average() <= 0.2;
        }
        // … in a 9 × 9 neighbourhood (the crop's edge repeated outward) of which at least 80 % pass too …
        bool Core(int x, int y)
        {
            int passing = 0;
            for (int dy = -4; dy <= 4; dy++)
                for (int dx = -4; dx <= 4; dx++)
                    if (brightWhite[Math.Clamp(y + dy, 0, height - 1) * width + Math.Clamp(x + dx, 0, width - 1)]) passing++;
            return brightWhite[y * width + x] && passing >= 0.8 * 81 - 1e-6;
        }
        int clouds = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                bool cloud = Core(x, y);
                if (cloud) clouds++;
                // … unless the model is confident of built-up land there (Highway 3, Industrial 4, Residential 7 keep their class).
                if (classes[i] == (byte)MapMask.Cloud) Assert.True(cloud, $"({x}, {y}) is Cloud but fails the test");
                else if (cloud) Assert.Contains(classes[i], new byte[] { 3, 4, 7 });
            }
        Assert.True(clouds > 1000, $"{clouds} cloud pixels in the crop");
        Assert.Contains(classes, c => c == (byte)MapMask.Uncertain); // around and under the cloud
        Assert.Contains(classes, c => c < 10); // and land beside it

        var without = Classify(crop, "--model", ProjectPaths.ShippedRgbModel, "--out", outDir, "--stride", "32", "--no-cloud-test");
        Assert.True(without.Code == 0, without.Output);
        Assert.Contains("cloud test changed", without.Output);
        Assert.DoesNotContain(ClassesOf(SceneOutputPaths.For(outDir, crop, allProbabilities: false)), c => c == (byte)MapMask.Cloud);
    }

    [Fact]
    public void ALevel2AProductsSceneClassificationMarksCloudAndShadowAndItsOffsetIsApplied()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var product = Path.Combine(dir, "S2A_MSIL2A_20220316T100031_N0400_R122_T33UWR_20220316T134748.SAFE");
        var granule = Path.Combine(product, "GRANULE", "L2A_T33UWR_A035166_20220316T100512", "IMG_DATA");
        var r10 = Directory.CreateDirectory(Path.Combine(granule, "R10m")).FullName;
        var r20 = Directory.CreateDirectory(Path.Combine(granule, "R20m")).FullName;
        File.WriteAllText(Path.Combine(product, "MTD_MSIL2A.xml"), $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <n1:Level-2A_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-2A.xsd"><n1:General_Info>
              <Product_Image_Characteristics><BOA_ADD_OFFSET_VALUES_LIST>{string.Concat(Enumerable.Range(0, 13).Select(id => $"<BOA_ADD_OFFSET band_id=\"{id}\">-1000</BOA_ADD_OFFSET>"))}</BOA_ADD_OFFSET_VALUES_LIST></Product_Image_Characteristics>
            </n1:General_Info></n1:Level-2A_User_Product>
            """);
        // Band files from a 96 × 96 crop of the bundled TCI, back to Level-2A digital numbers (value / 255 × 2000 + 1000).
        const int size = 96;
        using (var scene = GdalRaster.Open(TestRasters.Scene))
        {
            var pixels = scene.Read(300, 500, size, size);
            var georeference = new GeoReference([scene.GeoReference!.GeoTransform[0] + 3000, 10, 0, scene.GeoReference.GeoTransform[3] - 5000, 0, -10], scene.GeoReference.ProjectionWkt);
            foreach (var (band, index) in new[] { ("B04", 0), ("B03", 1), ("B02", 2) })
                TestRasters.Write(Path.Combine(r10, $"T33UWR_20220316T100031_{band}_10m.tif"), size, size, 1,
                    pixels.Skip(index * size * size).Take(size * size).Select(v => v / 255f * 2000 + 1000).ToArray(), georeference, RasterDataType.UInt16);
            // SCL at 20 m: vegetation (4) on the left half, cloud of high probability (9) top right, cloud shadow (3) bottom right.
            var scl = new float[48 * 48];
            for (int y = 0; y < 48; y++)
                for (int x = 0; x < 48; x++)
                    scl[y * 48 + x] = x < 24 ? 4 : y < 24 ? 9 : 3;
            TestRasters.Write(Path.Combine(r20, "T33UWR_20220316T100031_SCL_20m.tif"), 48, 48, 1, scl,
                georeference with { GeoTransform = [georeference.GeoTransform[0], 20, 0, georeference.GeoTransform[3], 0, -20] }, RasterDataType.Byte);
        }
        var outDir = Path.Combine(dir, "maps");
        var run = Classify(product, "--model", ProjectPaths.ShippedRgbModel, "--out", outDir, "--stride", "32");
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("input read as L2A (to model units:", run.Output);
        Assert.Contains("clouds from the product's SCL", run.Output);
        var outputs = SceneOutputPaths.For(outDir, product, allProbabilities: false);
        Assert.Equal("SCL", SceneRunRecord.Read(outputs.Run)!.Settings["scene classification"]);
        var classes = ClassesOf(outputs);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                byte value = classes[y * size + x];
                if (x >= 48) Assert.Equal(y < 48 ? (byte)MapMask.Cloud : (byte)MapMask.CloudShadow, value);
                else Assert.True(value <= (byte)MapMask.Uncertain, $"({x}, {y}): {value} where SCL says vegetation");
            }
    }
}
