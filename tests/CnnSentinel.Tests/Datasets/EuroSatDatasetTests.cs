using CnnSentinel.Datasets;

namespace CnnSentinel.Tests.Datasets;

public class EuroSatDatasetTests
{
    [Fact]
    public void BundledRgbSampleHasTheTenClassesInAlphabeticalOrder()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        Assert.Equal(PatchFormat.Rgb, dataset.Format);
        Assert.Equal(EuroSatClasses.Names, dataset.Classes);
        Assert.Equal(EuroSatClasses.Names.Order(StringComparer.Ordinal), dataset.Classes);
        Assert.All(dataset.CountPerClass, n => Assert.Equal(50, n));
        Assert.Equal(dataset.Samples.Select(s => s.RelativePath).Order(StringComparer.Ordinal), dataset.Samples.Select(s => s.RelativePath));
        Assert.All(dataset.Samples, s => Assert.StartsWith(s.ClassName + "/" + s.ClassName + "_", s.RelativePath));
        Assert.All(dataset.Samples, s => Assert.Equal(EuroSatClasses.Names[s.ClassIndex], s.ClassName));

        var pixels = dataset.Read(dataset.Samples[0]);
        Assert.Equal(3 * 64 * 64, pixels.Length);
        Assert.InRange(pixels.Max(), (ushort)1, (ushort)255);
    }

    [Fact]
    public void JpegDecodesAsPillowDoes()
    {
        // Reference: Debian's python3-pil, numpy.array(Image.open("AnnualCrop/AnnualCrop_1.jpg")): pixel [7, 5] is
        // (154, 126, 125), pixel [63, 0] is (124, 105, 109), and all values sum to 1,275,495.
        var pixels = JpegPatchReader.Read(Path.Combine(PatchFixtures.BundledRgb, "AnnualCrop", "AnnualCrop_1.jpg"));
        int At(int band, int row, int column) => pixels[band * 4096 + row * 64 + column];
        Assert.Equal([154, 126, 125], Enumerable.Range(0, 3).Select(b => At(b, 7, 5)));
        Assert.Equal([124, 105, 109], Enumerable.Range(0, 3).Select(b => At(b, 63, 0)));
        Assert.Equal(1_275_495, pixels.Sum(v => (long)v));
    }

    [Fact]
    public void BundledMultispectralSampleHas13BandsWithB8ALast()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledMultispectral);
        Assert.Equal(PatchFormat.Multispectral, dataset.Format);
        Assert.Equal(13, dataset.BandCount);
        Assert.Equal("B8A", dataset.BandNames[^1]);
        Assert.Equal(["B08", "B09"], dataset.BandNames.Skip(7).Take(2));
        Assert.All(dataset.CountPerClass, n => Assert.Equal(10, n));

        // Values checked with GDAL: gdallocationinfo -valonly AnnualCrop_1227.tif 5 7 (column 5, row 7).
        var first = dataset.Samples[0];
        Assert.Equal("AnnualCrop/AnnualCrop_1227.tif", first.RelativePath);
        var pixels = dataset.Read(first);
        ushort[] expected = [1518, 1466, 1640, 2130, 2238, 2459, 2773, 2766, 785, 15, 3831, 2474, 3149];
        Assert.Equal(expected, Enumerable.Range(0, 13).Select(b => pixels[b * 4096 + 7 * 64 + 5]));

        // Physics confirms the order on every patch: B10 (cirrus, index 9) is by far the darkest band, and B8A
        // (index 12) follows B08 (index 7) from patch to patch, both near infrared, far more than it follows red (B04).
        var bandMeans = dataset.Samples.Select(s =>
        {
            var p = dataset.Read(s);
            return Enumerable.Range(0, 13).Select(b => p.AsSpan(b * 4096, 4096).ToArray().Average(v => (double)v)).ToArray();
        }).ToList();
        Assert.All(bandMeans, means => Assert.Equal(9, Array.IndexOf(means, means.Min())));
        double Across(int a, int b) => Correlation(bandMeans.Select(m => m[a]).ToArray(), bandMeans.Select(m => m[b]).ToArray());
        Assert.True(Across(7, 12) > 0.95, $"B08~B8A {Across(7, 12)}");
        Assert.True(Across(7, 12) > Across(3, 12) + 0.2, $"B08~B8A {Across(7, 12)}, B04~B8A {Across(3, 12)}");
    }

    [Fact]
    public void BandAndClassFactsAgree()
    {
        Assert.Equal(EuroSatClasses.Count, EuroSatClasses.Names.Count);
        Assert.Equal(SentinelBands.Count, SentinelBands.Names.Count);
        Assert.Equal(["B04", "B03", "B02"], SentinelBands.TrueColourNames);
        Assert.Equal(SentinelBands.TrueColourNames, SentinelBands.OrderFor(3));
        Assert.Equal(SentinelBands.Names, SentinelBands.OrderFor(13));
        Assert.Equal(Enumerable.Range(0, SentinelBands.Count), SentinelBands.Names.Select(SentinelBands.BandId).Order());
        Assert.Equal(8, SentinelBands.BandId("B8A"));
        Assert.Throws<UserErrorException>(() => SentinelBands.OrderFor(4));
    }

    [Fact]
    public void TrueColourOfMultispectralPatchesIsScaledAsTheRgbRelease()
    {
        // Bands B04, B03, B02 (indices 3, 2, 1) hold 2750, 0 and 1375: → 255, 1, 128 (1 + 1375 × 254 / 2750 = 128).
        var image = TorchSharp.torch.zeros(13, 2, 2);
        image[3] = TorchSharp.torch.tensor(2750f);
        image[1] = TorchSharp.torch.tensor(1375f);
        image[0] = TorchSharp.torch.tensor(9999f); // B01: not shown
        var rgb = SentinelBands.ToRgbRelease(image);
        Assert.Equal(TorchSharp.torch.ScalarType.Byte, rgb.dtype);
        Assert.Equal(new byte[] { 255, 255, 255, 255, 1, 1, 1, 1, 128, 128, 128, 128 }, rgb.data<byte>().ToArray());
        Assert.Equal([5L, 3, 2, 2], SentinelBands.ToRgbRelease(TorchSharp.torch.zeros(5, 13, 2, 2)).shape);
    }

    [Fact]
    public void GeoreferencingMatchesGdal()
    {
        // gdalinfo AnnualCrop_1227.tif: EPSG 32629, Origin = (790900.550192264257930,4139922.163604723755270),
        // Pixel Size = (9.999155927939263,-9.996648712602131).
        var georeference = GeoTiffPatchReader.ReadGeoreference(Path.Combine(PatchFixtures.BundledMultispectral, "AnnualCrop", "AnnualCrop_1227.tif"));
        Assert.Equal(32629, georeference.Epsg);
        Assert.Equal(790900.550192264257930, georeference.OriginX, 6);
        Assert.Equal(4139922.163604723755270, georeference.OriginY, 6);
        Assert.Equal(9.999155927939263, georeference.PixelWidth, 9);
        Assert.Equal(9.996648712602131, georeference.PixelHeight, 9);
        Assert.Equal(790900.550192264257930 + 32 * 9.999155927939263, georeference.CentreX, 6);
    }

    [Fact]
    public void GeneratedGeoTiffRoundTripsBandByBand()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "p.tif");
        PatchFixtures.WriteGeoTiff(path, originX: 123456, originY: 7654321, epsg: 32633);
        var pixels = GeoTiffPatchReader.Read(path);
        Assert.Equal(12 * 1000 + 3 + 60, pixels[12 * 4096 + 3 * 64 + 60]);
        Assert.Equal(0, pixels[0]);
        Assert.Equal(new PatchGeoreference(32633, 123456, 7654321, 10, 10, 64, 64), GeoTiffPatchReader.ReadGeoreference(path));
    }

    [Fact]
    public void TruncatedJpegIsRefusedNamingTheFile()
    {
        var root = PatchFixtures.RgbFolder(TestEnvironment.NewTempDirectory(), ["A", "B"], 2);
        var path = Path.Combine(root, "B", "B_2.jpg");
        var bytes = File.ReadAllBytes(Path.Combine(PatchFixtures.BundledRgb, "Forest", "Forest_1.jpg"));
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var dataset = EuroSatDataset.Open(root, classes: ["A", "B"]);
        var error = Assert.Throws<InvalidPatchException>(() => dataset.Read(dataset.Samples.Single(s => s.RelativePath == "B/B_2.jpg")));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.True(error.Message.Contains("truncated"), error.Message);
    }

    [Fact]
    public void NonImageJpegIsRefusedNamingTheFile()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "x.jpg");
        File.WriteAllText(path, "not an image");
        var error = Assert.Throws<InvalidPatchException>(() => JpegPatchReader.Read(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void TiffWith12BandsIsRefusedNamingTheFile()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "Forest_1.tif");
        PatchFixtures.WriteGeoTiff(path, bands: 12);
        var error = Assert.Throws<InvalidPatchException>(() => GeoTiffPatchReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("12 bands, expected 13", error.Message);
    }

    [Fact]
    public void PatchOf65By64IsRefusedNamingTheFile()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var tif = Path.Combine(dir, "wide.tif");
        PatchFixtures.WriteGeoTiff(tif, width: 65);
        Assert.Contains($"{tif}: is 65×64 pixels, expected 64×64", Assert.Throws<InvalidPatchException>(() => GeoTiffPatchReader.Read(tif)).Message);
        var jpg = Path.Combine(dir, "wide.jpg");
        PatchFixtures.WriteJpeg(jpg, width: 65);
        Assert.Contains($"{jpg}: is 65×64 pixels, expected 64×64", Assert.Throws<InvalidPatchException>(() => JpegPatchReader.Read(jpg)).Message);
    }

    [Fact]
    public void TruncatedTiffIsRefusedNamingTheFile()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "cut.tif");
        PatchFixtures.WriteGeoTiff(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        Assert.Contains(path, Assert.Throws<InvalidPatchException>(() => GeoTiffPatchReader.Read(path)).Message);
    }

    [Fact]
    public void FindInvalidPatchesListsEveryDamagedFile()
    {
        var root = TestEnvironment.NewTempDirectory();
        for (int i = 1; i <= 4; i++)
        {
            PatchFixtures.WriteGeoTiff(Path.Combine(root, "A", $"A_{i}.tif"), bands: i == 2 ? 12 : 13);
            PatchFixtures.WriteGeoTiff(Path.Combine(root, "B", $"B_{i}.tif"), height: i == 3 ? 63 : 64);
        }
        var dataset = EuroSatDataset.Open(root, classes: ["A", "B"]);
        var problems = dataset.FindInvalidPatches();
        Assert.Equal([Path.Combine(root, "A", "A_2.tif"), Path.Combine(root, "B", "B_3.tif")], problems.Select(p => p.FilePath));
        Assert.Empty(EuroSatDataset.Open(PatchFixtures.BundledMultispectral).FindInvalidPatches());
    }

    [Fact]
    public void EmptyClassFolderIsAnErrorNamingTheFolder()
    {
        var root = PatchFixtures.RgbFolder(TestEnvironment.NewTempDirectory(), ["A", "B"], 2);
        Directory.CreateDirectory(Path.Combine(root, "C"));
        var error = Assert.Throws<InvalidDataException>(() => EuroSatDataset.Open(root, classes: ["A", "B", "C"]));
        Assert.Contains(Path.Combine(root, "C"), error.Message);
        Assert.Contains("empty class folder", error.Message);
    }

    [Fact]
    public void UnknownClassFolderIsAnErrorNamingTheFolder()
    {
        var root = PatchFixtures.RgbFolder(TestEnvironment.NewTempDirectory(), ["A", "B", "Forrest"], 1);
        var error = Assert.Throws<InvalidDataException>(() => EuroSatDataset.Open(root, classes: ["A", "B"]));
        Assert.Contains("'Forrest'", error.Message);
        Assert.Contains("not classes", error.Message);
    }

    [Fact]
    public void MissingClassFolderIsAnError()
    {
        var root = PatchFixtures.RgbFolder(TestEnvironment.NewTempDirectory(), ["A"], 1);
        Assert.Contains("no folder for class(es) B", Assert.Throws<InvalidDataException>(() => EuroSatDataset.Open(root, classes: ["A", "B"])).Message);
        Assert.Throws<DirectoryNotFoundException>(() => EuroSatDataset.Open(Path.Combine(root, "nowhere")));
    }

    static double Correlation(double[] a, double[] b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length; mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
    }
}
