using System.Text.Json.Nodes;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using SkiaSharp;

namespace CnnSentinel.Tests.Scenes;

public class SceneMapWriterTests
{
    static SceneClassifierOptions Options(int blockSize = 64, bool all = false, ClassificationMode mode = ClassificationMode.Dense) =>
        new(TestRasters.RgbPreprocessing, mode, BlockSize: blockSize, KeepAllProbabilities: all);

    static SceneMap Classify(string input, string outDir, SceneClassifierOptions options)
    {
        using var scene = SceneInput.Open(input, 3);
        return SceneMap.Write(scene, TestRasters.SceneModel(), options, SceneOutputPaths.For(outDir, input, options.KeepAllProbabilities));
    }

    [Fact]
    public void MapsAreGisReadyForASecondReader()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 500, 300, 150, 90);
        var summary = Classify(crop, Path.Combine(dir, "out"), Options(all: true));
        var outputs = summary.Outputs!;
        Assert.True(outputs.AllExist);
        Assert.Equal(150L * 90, summary.PixelCounts.Sum());

        var input = ExternalTools.Rasterio(crop);
        var classes = ExternalTools.Rasterio(outputs.Classes);
        Assert.Equal((32633, 150, 90), ((int)classes["epsg"]!, (int)classes["width"]!, (int)classes["height"]!));
        Assert.Equal(input["transform"]!.ToJsonString(), classes["transform"]!.ToJsonString());
        Assert.Equal(255.0, (double)classes["nodata"]!);
        Assert.Equal(256, (int)classes["colormap"]!);
        Assert.InRange((double)classes["min"]!, 0, 9);
        Assert.InRange((double)classes["max"]!, 0, 9);
        Assert.Contains(Path.GetFileName(outputs.ClassesAuxiliary), classes["files"]!.AsArray().Select(v => (string?)v));

        var info = ExternalTools.GdalInfo(outputs.Classes);
        var band = info["bands"]![0]!;
        Assert.Equal("Palette", (string?)band["colorInterpretation"]);
        var permanentCrop = ClassLegend.EuroSat.Classes[6].Color;
        Assert.Equal([permanentCrop.R, permanentCrop.G, permanentCrop.B, 255], band["colorTable"]!["entries"]![6]!.AsArray().Select(v => (int)v!));
        Assert.Equal(ClassLegend.EuroSat.CategoryNames(), band["categories"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("COG", (string?)info["metadata"]!["IMAGE_STRUCTURE"]!["LAYOUT"]);
        Assert.Contains("32633", info["coordinateSystem"]!["wkt"]!.ToString());

        var probability = ExternalTools.Rasterio(outputs.Probability);
        Assert.True((bool)probability["nodata_is_nan"]!);
        Assert.Equal(input["transform"]!.ToJsonString(), probability["transform"]!.ToJsonString());
        Assert.InRange((double)probability["min"]!, 0.1, 1); // the arg-max of 10 probabilities is at least 1/10
        Assert.InRange((double)probability["max"]!, 0.1, 1);

        var all = ExternalTools.GdalInfo(outputs.Probabilities!);
        Assert.Equal(10, all["bands"]!.AsArray().Count);
        Assert.Equal("SeaLake", (string?)all["bands"]![9]!["description"]);

        var legend = JsonNode.Parse(File.ReadAllText(outputs.LegendJson))!;
        Assert.Equal(summary.PixelCounts.Take(10), legend["classes"]!.AsArray().Select(c => (long)c!["pixels"]!));
        Assert.All(legend["masks"]!.AsArray(), m => Assert.Equal(0, (long)m!["pixels"]!));
        Assert.StartsWith("value,name,red,green,blue,hex,pixels\n0,AnnualCrop,238,212,94,#eed45e,", File.ReadAllText(outputs.LegendCsv));
        Assert.Contains("| 255 | no data |", File.ReadAllText(outputs.LegendMarkdown));
        Assert.Equal(ClassLegend.EuroSat.ToQml(), File.ReadAllText(outputs.ClassesStyle));
        // The attribute table beside the map, as GDAL's dBASE reader (what QGIS uses) reads it: one feature per class and mask.
        var table = ExternalTools.Run("ogrinfo", "-al", "-q", outputs.ClassesAttributeTable);
        Assert.Equal(ClassLegend.EuroSat.Entries.Count, table.Split("OGRFeature(").Length - 1);
        Assert.Contains($"ClassName (String) = PermanentCrop", table);
        Assert.Contains($"Count (Integer64) = {summary.PixelCounts[6]}", table);
        Assert.Contains($"Red (Integer) = {permanentCrop.R}", table);
        using var preview = SKBitmap.Decode(outputs.Preview);
        Assert.True(preview.Width > 150 && preview.Height >= 90);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "out"), "*.tmp"));
    }

    [Fact]
    public void MaskValuesAreCountedNamedAndColouredAndAnUnknownValueIsRefused()
    {
        var dir = TestEnvironment.NewTempDirectory();
        int width = 40, height = 20;
        var crop = TestRasters.SceneCrop(dir, 500, 300, width, height);
        using var input = GdalRaster.Open(crop);
        // Columns in stripes of 5: Highway (two stripes), the five masks, nodata; in two blocks of 10 rows.
        byte[] Stripes(int rows) => Enumerable.Range(0, width * rows).Select(p => (p % width / 5) switch
        {
            0 or 1 => (byte)3,
            7 => SceneClassifier.NoDataClass,
            var stripe => (byte)(stripe + 8),
        }).ToArray();
        float[] Confidence(byte[] values) => values.Select(v => v == SceneClassifier.NoDataClass ? float.NaN : 0.5f).ToArray();
        IEnumerable<ClassifiedBlock> Blocks(byte[] top) =>
            [new(0, 0, width, 10, top, Confidence(top), null), new(0, 10, width, 10, Stripes(10), Confidence(Stripes(10)), null)];

        var outputs = SceneOutputPaths.For(Path.Combine(dir, "out"), crop, allProbabilities: false);
        var summary = SceneMapWriter.Write(input, Blocks(Stripes(10)), ClassLegend.EuroSat, outputs);
        Assert.Equal(ClassLegend.ValueCount, summary.PixelCounts.Count);
        Assert.Equal(200, summary.PixelCounts[3]);
        Assert.All(Enum.GetValues<MapMask>(), mask => Assert.Equal(100, summary.PixelCounts[(int)mask]));
        Assert.Equal(100, summary.NoDataPixels);

        using (var map = GdalRaster.Open(outputs.Classes))
            Assert.Equal([3f, 3f, 10f, 11f, 12f, 13f, 14f, 255f], Enumerable.Range(0, 8).Select(stripe => map.Read(stripe * 5, 15, 1, 1)[0]));
        var band = ExternalTools.GdalInfo(outputs.Classes)["bands"]![0]!;
        Assert.Equal("CloudShadow", (string?)band["categories"]![13]);
        Assert.Equal([20, 20, 20, 255], band["colorTable"]!["entries"]![13]!.AsArray().Select(v => (int)v!));
        var legend = JsonNode.Parse(File.ReadAllText(outputs.LegendJson))!;
        Assert.Equal([100L, 100, 100, 100, 100], legend["masks"]!.AsArray().Select(m => (long)m!["pixels"]!));
        Assert.Contains("| 11 | Cloud | 215, 215, 215 (#d7d7d7) | 100 |", File.ReadAllText(outputs.LegendMarkdown));

        var refused = SceneOutputPaths.For(Path.Combine(dir, "refused"), crop, allProbabilities: false);
        var wrong = Stripes(10);
        wrong[7] = 20;
        var e = Assert.Throws<InvalidDataException>(() => SceneMapWriter.Write(input, Blocks(wrong), ClassLegend.EuroSat, refused));
        Assert.Contains("value 20", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "refused"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void NoDataInputGivesNoDataOutputAndAnAllNoDataBlockIsSkipped()
    {
        var dir = TestEnvironment.NewTempDirectory();
        int width = 96, height = 70;
        using var scene = GdalRaster.Open(TestRasters.Scene);
        var values = scene.Read(800, 500, width, height);
        for (int b = 0; b < 3; b++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    if (x < 64 && y < 64) values[(b * height + y) * width + x] = 0; // the whole first 64 × 64 block: nodata
                    else if (x == 90 && y == 60) values[(b * height + y) * width + x] = float.NaN;
                    else if (b == 1 && y == 65 && x is 70 or 71) values[(b * height + y) * width + x] = x == 70 ? float.PositiveInfinity : float.NegativeInfinity;
        var input = Path.Combine(dir, "holes.tif");
        TestRasters.Write(input, width, height, 3, values, scene.GeoReference!.Offset(800, 500), RasterDataType.Float32, noData: 0);

        var summary = Classify(input, dir, Options(blockSize: 64));
        Assert.Equal(64 * 64 + 3, summary.NoDataPixels); // the block, the NaN pixel and the two ±Inf pixels (issue 28)
        using var classes = GdalRaster.Open(summary.Outputs!.Classes);
        var map = classes.Read(0, 0, width, height);
        Assert.Equal(255f, map[0]);
        Assert.Equal(255f, map[63 * width + 63]);
        Assert.Equal(255f, map[60 * width + 90]);
        Assert.Equal(255f, map[65 * width + 70]);
        Assert.Equal(255f, map[65 * width + 71]);
        Assert.InRange(map[64], 0, 9);
        using var probability = GdalRaster.Open(summary.Outputs!.Probability);
        Assert.True(float.IsNaN(probability.Read(0, 0, 1, 1)[0]));
    }

    [Fact]
    public void ASceneSmallerThanAWindowIsClassifiedAndDenseStillEqualsNaive()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 900, 700, 20, 13);
        var dense = Classify(crop, Path.Combine(dir, "dense"), Options());
        var naive = Classify(crop, Path.Combine(dir, "naive"), Options(mode: ClassificationMode.Naive));
        using var a = GdalRaster.Open(dense.Outputs!.Classes);
        using var b = GdalRaster.Open(naive.Outputs!.Classes);
        Assert.Equal((20, 13), (a.Width, a.Height));
        Assert.Equal(b.Read(0, 0, 20, 13), a.Read(0, 0, 20, 13));
        Assert.Equal(0, dense.NoDataPixels);
    }

    [Fact]
    public void ANonGeoreferencedFileIsRefusedWithoutWritingAnything()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var plain = Path.Combine(dir, "plain.tif");
        TestRasters.Write(plain, 70, 70, 3, new float[3 * 70 * 70], georeference: null, RasterDataType.Byte);
        var outDir = Path.Combine(dir, "out");
        var e = Assert.Throws<InvalidDataException>(() => Classify(plain, outDir, Options()));
        Assert.Contains(plain, e.Message);
        Assert.Contains("not georeferenced", e.Message);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }
}
