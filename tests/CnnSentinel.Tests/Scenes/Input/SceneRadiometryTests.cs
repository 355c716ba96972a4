using CnnSentinel.Datasets;
using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Scenes;

public class SceneRadiometryTests
{
    static readonly IReadOnlyList<string> Rgb = SentinelBands.TrueColourNames;

    [Fact]
    public void ProductValuesBecomeEuroSatUnitsAsWorkedOutByHand()
    {
        // Level-2A TCI, red: 255 ↔ reflectance 0.2; EuroSAT red = 910.8 per reflectance; plus the path reflectance.
        var tci = SceneRadiometry.For(SceneProduct.TciL2A, Rgb);
        Assert.Equal(0.2f / 255 * 910.8f, tci.Gain[0], 1e-5f);
        Assert.Equal(SceneRadiometry.PathReflectance("B04") * 910.8f, tci.Offset[0], 1e-3f);
        Assert.Equal(255f, tci.Maximum);
        // The path reflectance passes through the two measured points and falls with wavelength, to 0 beyond 1 µm.
        Assert.Equal(0.066f, SceneRadiometry.PathReflectance("B02"), 1e-6f);
        Assert.Equal(0.012f, SceneRadiometry.PathReflectance("B04"), 1e-6f);
        Assert.True(SceneRadiometry.PathReflectance("B03") is > 0.012f and < 0.066f);
        Assert.Equal(0f, SceneRadiometry.PathReflectance("B11"));

        // Level-1C TCI, blue: 255 ↔ 0.3558, no path; it saturates EuroSAT's scale (0.3558 × 930 > 255).
        var l1cTci = SceneRadiometry.For(SceneProduct.TciL1C, Rgb);
        Assert.Equal(0.3558f / 255 * 930.0f, l1cTci.Gain[2], 1e-5f);
        Assert.Equal(0f, l1cTci.Offset[2]);

        // Level-1C band files with the baseline-04.00 offset: DN 2000 − 1000 = reflectance 0.1 → RGB 91.08 (red), DN 1000 (13 bands).
        var l1cRgb = SceneRadiometry.For(SceneProduct.L1C, Rgb, [-1000f, -1000f, -1000f]);
        Assert.Equal(91.08f, 2000 * l1cRgb.Gain[0] + l1cRgb.Offset[0], 1e-2f);
        var l1cMs = SceneRadiometry.For(SceneProduct.L1C, SentinelBands.Names, Enumerable.Repeat(-1000f, 13).ToList());
        Assert.All(Enumerable.Range(0, 13), b => Assert.Equal(1000f, 2000 * l1cMs.Gain[b] + l1cMs.Offset[b], 1e-2f));
        Assert.True(float.IsPositiveInfinity(l1cMs.Maximum));
        Assert.Equal(0.1f, 2000 * l1cMs.ReflectanceGain[3] + l1cMs.ReflectanceOffset[3], 1e-6f);

        Assert.True(SceneRadiometry.AsEuroSat(Rgb).IsIdentity);
        Assert.True(tci.FedUnconverted().IsIdentity);
        Assert.Equal(tci.ReflectanceGain, tci.FedUnconverted().ReflectanceGain);
        Assert.Throws<UserErrorException>(() => SceneRadiometry.For(SceneProduct.TciL2A, SentinelBands.Names));
        Assert.Throws<UserErrorException>(() => SceneRadiometry.For(SceneProduct.TciL2A, Rgb, [0f, 0f, 0f]));
    }

    [Fact]
    public void TheProductIsDetectedFromItsNameAndMetadata()
    {
        Assert.Equal(SceneProduct.TciL2A, SceneRadiometry.Detect(TestRasters.Scene, Rgb, eightBit: true).Product);
        Assert.Equal(SceneProduct.TciL1C, SceneRadiometry.Detect("S2B_MSIL1C_20230101T000000_N0509_R000_T33UWR_TCI.tif", Rgb, eightBit: true).Product);
        Assert.Equal(SceneProduct.EuroSat, SceneRadiometry.Detect("mosaic.tif", Rgb, eightBit: true).Product);

        var dir = TestEnvironment.NewTempDirectory();
        var product = Path.Combine(dir, "S2A_MSIL2A_20220316T100031_N0400_R122_T33UWR_20220316T134748.SAFE");
        var imgData = Directory.CreateDirectory(Path.Combine(product, "GRANULE", "L2A_T33UWR", "IMG_DATA", "R10m")).FullName;
        // ESA's band_id order: B01 … B08 = 0 … 7, B8A = 8, B09 … B12 = 9 … 12; B04 (id 3) gets its own offset to check the mapping.
        File.WriteAllText(Path.Combine(product, "MTD_MSIL2A.xml"), $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <n1:Level-2A_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-2A.xsd">
              <n1:General_Info><Product_Image_Characteristics><BOA_ADD_OFFSET_VALUES_LIST>
                {string.Concat(Enumerable.Range(0, 13).Select(id => $"<BOA_ADD_OFFSET band_id=\"{id}\">{(id == 3 ? -999 : -1000)}</BOA_ADD_OFFSET>"))}
              </BOA_ADD_OFFSET_VALUES_LIST></Product_Image_Characteristics></n1:General_Info>
            </n1:Level-2A_User_Product>
            """);
        var band = Path.Combine(imgData, "T33UWR_20220316T100031_B04_10m.jp2");
        var detected = SceneRadiometry.Detect(band, Rgb, eightBit: false);
        Assert.Equal(SceneProduct.L2A, detected.Product);
        Assert.Equal([-999f / 10000, -1000f / 10000, -1000f / 10000], detected.ReflectanceOffset);
        Assert.Equal(SceneProduct.L2A, SceneRadiometry.Detect(product, Rgb, eightBit: false).Product);

        File.WriteAllText(Path.Combine(product, "MTD_MSIL2A.xml"), "<not xml");
        var error = Assert.Throws<InvalidDataException>(() => SceneRadiometry.Detect(band, Rgb, eightBit: false));
        Assert.Contains("MTD_MSIL2A.xml", error.Message);

        // The level as a word of a file or folder name: eo-learn's stacks, BigEarthNet's patch folders.
        Assert.Equal(SceneProduct.L1C, SceneRadiometry.Detect("s2_l1c_20150711.tif", Rgb, eightBit: false).Product);
        Assert.Equal(SceneProduct.L2A, SceneRadiometry.Detect(Path.Combine("S2A_MSIL2A_20170613T101031_36_85", "S2A_MSIL2A_20170613T101031_36_85_B04.tif"), Rgb, eightBit: false).Product);
        Assert.Equal(SceneProduct.L2A, SceneRadiometry.Detect("leipzig.l2a.tif", Rgb, eightBit: false).Product);
        Assert.Equal(SceneProduct.L1C, SceneRadiometry.Detect("full2a.tif", Rgb, eightBit: false).Product); // not a word of its own

        // Before baseline 04.00 (no metadata file here): no offsets.
        Assert.Null(SceneRadiometry.ProductAddOffsets(TestEnvironment.NewTempDirectory(), SceneProduct.L1C, Rgb));
    }

    [SkippableFact]
    public void EuroSatRgbIsLinearInTheReflectanceOfTheSamePatches()
    {
        // Re-measures the constants from the development copy: each RGB JPEG against the same patch's B04/B03/B02 in EuroSAT MS.
        var rgb = ProjectPaths.DevelopmentRgbData;
        Skip.If(rgb is null, "needs the development copy of EuroSAT (../shared/data) to re-measure");
        var ms = Path.Combine(Path.GetDirectoryName(rgb)!, "eurosat-ms");
        var pairs = Directory.EnumerateFiles(ms, "*.tif", SearchOption.AllDirectories)
            .Select(tif => (tif, jpg: Path.ChangeExtension(tif.Replace(ms, rgb), ".jpg"))).Where(p => File.Exists(p.jpg)).ToList();
        Assert.True(pairs.Count > 100, $"{pairs.Count} patch pairs");
        int[] msIndex = [3, 2, 1]; // B04, B03, B02 in EuroSAT MS order
        for (int c = 0; c < 3; c++)
        {
            double sx = 0, sy = 0, sxx = 0, sxy = 0; long n = 0;
            foreach (var (tif, jpg) in pairs)
            {
                var dn = GeoTiffPatchReader.Read(tif);
                var value = JpegPatchReader.Read(jpg);
                for (int i = 0; i < 64 * 64; i++)
                {
                    double y = value[c * 4096 + i], x = dn[msIndex[c] * 4096 + i];
                    if (y <= 2 || y >= 250) continue; // saturated or clipped
                    sx += x; sy += y; sxx += x * x; sxy += x * y; n++;
                }
            }
            double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
            Assert.Equal(SceneRadiometry.EuroSatRgbPerReflectance[Rgb[c]], slope * SceneRadiometry.QuantificationValue, 2.0);
        }
    }

    [Fact]
    public void CloudsAreBrightAndWhiteSoilIsNot()
    {
        var radiometry = SceneRadiometry.For(SceneProduct.TciL2A, Rgb); // reflectance = value / 255 × 0.2
        float V(double reflectance) => (float)(reflectance / 0.2 * 255);
        // Pixels: cloud (0.19 0.19 0.18), bright soil (0.2 0.15 0.1), dark forest (0.03 0.05 0.03), grey just below the brightness threshold.
        var raw = tensor(new[] { V(0.19), V(0.2), V(0.03), V(0.14), V(0.19), V(0.15), V(0.05), V(0.14), V(0.18), V(0.1), V(0.03), V(0.14) }, [3, 1, 4]);
        var mask = new CloudTest(CoreSize: 1).Mask(raw, radiometry); // the pixel tests alone
        Assert.Equal([true, false, false, false], mask.flatten().data<bool>().ToArray());
        Assert.Throws<UserErrorException>(() => new CloudTest().Mask(torch.zeros(13, 1, 1), SceneRadiometry.For(SceneProduct.L1C, SentinelBands.Names) with { Bands = ["X"] }));
    }

    [Fact]
    public void ACloudIsACompactBrightAreaNotARoofOrAScatterOfBrightPixels()
    {
        var radiometry = SceneRadiometry.For(SceneProduct.TciL2A, Rgb);
        const int size = 40;
        var white = new bool[size, size];
        for (int y = 10; y < 30; y++) for (int x = 10; x < 30; x++) white[y, x] = true; // a 20 × 20 cloud
        for (int y = 2; y < 5; y++) for (int x = 2; x < 5; x++) white[y, x] = true; // a 3 × 3 roof
        for (int i = 0; i < size; i += 7) white[35, i] = true; // scattered bright pixels
        var raw = torch.zeros(3, size, size);
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) if (white[y, x]) raw[TensorIndex.Colon, y, x] = torch.tensor(240f);
        var mask = new CloudTest().Mask(raw, radiometry).data<bool>().ToArray();
        // 9 × 9 neighbourhoods at least 80 % bright and white: inside the cloud, where the rows and columns of the
        // neighbourhood that lie in it make 65 of its 81 pixels or more (8 × 9 = 72 three pixels inside an edge, 8 × 8 = 64
        // in a corner is too few); nowhere else.
        int Inside(int v) => Math.Min(v + 4, 29) - Math.Max(v - 4, 10) + 1;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                Assert.True(mask[y * size + x] == (white[y, x] && y is >= 10 and < 30 && x is >= 10 and < 30 && Inside(y) * Inside(x) >= 65), $"({x}, {y})");
        Assert.True(mask[13 * size + 14] && !mask[13 * size + 13]);

        // A built-up class the model is confident of is spared; the same class unsure, or another class, is not.
        var test = CloudTest.For(["AnnualCrop", "Industrial", "Residential", "SeaLake"]);
        Assert.Equal([1, 2], test.SparedClasses!.Order());
        var spared = test.Spared(torch.tensor(new long[] { 1, 1, 3, 2 }), torch.tensor(new[] { 0.9f, 0.4f, 0.9f, 0.5f }))!;
        Assert.Equal([true, false, false, true], spared.data<bool>().ToArray());
        Assert.Null(new CloudTest().Spared(torch.tensor(new long[] { 1 }), torch.tensor(new[] { 0.9f })));
    }

    [Fact]
    public void SceneClassificationValuesBecomeMasks()
    {
        var classes = torch.full(12, 4, dtype: ScalarType.Byte);
        var scl = torch.arange(12, dtype: ScalarType.Int64);
        var masked = SceneClassificationMask.Apply(classes, scl).data<byte>().ToArray();
        byte N = SceneClassifier.NoDataClass, C = (byte)MapMask.Cloud;
        Assert.Equal(new byte[] { N, N, 4, (byte)MapMask.CloudShadow, 4, 4, 4, 4, C, C, (byte)MapMask.Cirrus, (byte)MapMask.Snow }, masked);
    }
}
