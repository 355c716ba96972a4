using System.Text.Json.Nodes;
using CnnSentinel.Raster;

namespace CnnSentinel.Tests.Raster;

public class GeoTiffWriterTests
{
    static readonly RgbColor[] Colors = [new(0, 255, 255), new(0, 255, 0), new(30, 30, 30)];
    static readonly string[] Names = ["Wheat", "Forêt", ""];

    [Fact]
    public void WritesACloudOptimisedGeoTiffThatGdalinfoAndRasterioRead()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "map.tif");
        var georeference = TestRasters.Utm10m(543100, 5579500);
        int width = 600, height = 300;
        var values = Enumerable.Range(0, width * height).Select(i => (byte)(i % 3)).ToArray();
        values[0] = 255;
        using (var writer = GeoTiffWriter.Create(path, width, height, 1, RasterDataType.Byte, georeference,
                   new GeoTiffOptions(NoData: 255, ColorTable: Colors, CategoryNames: Names, BandDescriptions: ["class"])))
        {
            writer.Write(1, 0, 0, width, 100, values[..(width * 100)]);
            writer.Write(1, 0, 100, width, 200, values[(width * 100)..]);
            writer.Commit();
        }
        var info = ExternalTools.GdalInfo(path);
        Assert.Equal("COG", (string?)info["metadata"]!["IMAGE_STRUCTURE"]!["LAYOUT"]);
        Assert.Equal("DEFLATE", (string?)info["metadata"]!["IMAGE_STRUCTURE"]!["COMPRESSION"]);
        var band = info["bands"]![0]!;
        Assert.Equal([256, 256], band["block"]!.AsArray().Select(v => (int)v!));
        Assert.Equal(255.0, (double)band["noDataValue"]!);
        Assert.Equal("class", (string?)band["description"]);
        Assert.Equal("Palette", (string?)band["colorInterpretation"]);
        Assert.Equal([0, 255, 255, 255], band["colorTable"]!["entries"]![0]!.AsArray().Select(v => (int)v!));
        Assert.Equal((0.0, 2.0), ((double)band["minimum"]!, (double)band["maximum"]!));
        Assert.NotEmpty(band["overviews"]!.AsArray());
        Assert.Equal(Names, band["categories"]!.AsArray().Select(v => (string)v!)); // UTF-8 through, empty names kept in place
        var rasterio = ExternalTools.Rasterio(path);
        Assert.Equal(["map.tif", "map.tif.aux.xml"], rasterio["files"]!.AsArray().Select(v => (string)v!)); // GDAL keeps the names beside the TIFF
        Assert.Equal(32633, (int)rasterio["epsg"]!);
        Assert.Equal([10.0, 0, 543100, 0, -10, 5579500], rasterio["transform"]!.AsArray().Select(v => (double)v!)); // affine order a b c d e f
        Assert.Equal(1, (int)rasterio["masked"]!);
        Assert.Equal(256, (int)rasterio["colormap"]!); // TIFF palettes always have 2^bits entries
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CategoryNamesArePublishedBesideTheFileAndAStaleAuxiliaryFileGoes(bool cloudOptimized)
    {
        var dir = TestEnvironment.NewTempDirectory();
        var path = Path.Combine(dir, "map.tif");
        void Write(string[]? names)
        {
            using var writer = GeoTiffWriter.Create(path, 8, 8, 1, RasterDataType.Byte, TestRasters.Utm10m(),
                new GeoTiffOptions(NoData: 255, CategoryNames: names, CloudOptimized: cloudOptimized));
            writer.Write(1, 0, 0, 8, 8, new byte[64]);
            writer.Commit();
        }

        Write(Names);
        Assert.Equal(Names, ExternalTools.GdalInfo(path)["bands"]![0]!["categories"]!.AsArray().Select(v => (string)v!));
        Assert.Equal([path, GeoTiffWriter.AuxiliaryPath(path)], Directory.GetFiles(dir).Order(StringComparer.Ordinal));

        Write(null); // the old names (and the statistics gdalinfo -stats added) would describe the new file wrongly
        Assert.Equal([path], Directory.GetFiles(dir));
        Assert.Null(JsonNode.Parse(ExternalTools.Run("gdalinfo", "-json", path))!["bands"]![0]!["categories"]);
    }

    [Fact]
    public void AnUncommittedWriterLeavesNothingBehind()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var path = Path.Combine(dir, "unfinished.tif");
        File.WriteAllText(path, "previous");
        using (var writer = GeoTiffWriter.Create(path, 10, 10, 1, RasterDataType.Float32, null, new GeoTiffOptions(NoData: float.NaN, CategoryNames: Names)))
            writer.Write(1, 0, 0, 10, 5, new float[50]); // and then a failure: no Commit (the names' auxiliary file goes too)
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void RejectsWhatItCannotWrite()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "x.tif");
        Assert.Throws<ArgumentException>(() => GeoTiffWriter.Create(path, 4, 4, 1, RasterDataType.Float32, null, new GeoTiffOptions(ColorTable: Colors)));
        using var writer = GeoTiffWriter.Create(path, 4, 4, 1, RasterDataType.Byte, null, new GeoTiffOptions(CloudOptimized: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(1, 2, 2, 4, 4, new byte[16]));
        Assert.Throws<ArgumentException>(() => writer.Write(1, 0, 0, 4, 4, new byte[15]));
    }
}
