using CnnSentinel.Raster;

namespace CnnSentinel.Tests.Raster;

public class VectorLayerTests
{
    [Fact]
    public void PlacesLongitudeLatitudePointsWhereGdalPutsThem()
    {
        var dir = TestEnvironment.NewTempDirectory();
        // A point given as longitude/latitude: ogr2ogr's own UTM coordinates for it decide the pixel it must land in.
        var geojson = Path.Combine(dir, "point.geojson");
        File.WriteAllText(geojson, """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[15.0012,50.5521]}}]}""");
        var utm = ExternalTools.Run("ogr2ogr", "-f", "CSV", "/vsistdout/", geojson, "-t_srs", "EPSG:32633", "-lco", "GEOMETRY=AS_XY").Split('\n')[1].Split(',');
        double x = double.Parse(utm[0], System.Globalization.CultureInfo.InvariantCulture), y = double.Parse(utm[1], System.Globalization.CultureInfo.InvariantCulture);
        var grid = new RasterGrid(TestRasters.Utm10m(Math.Floor(x / 10) * 10 - 30, Math.Floor(y / 10) * 10 + 50), 8, 8);

        using var layer = VectorLayer.TryOpen(geojson)!;
        Assert.Equal(["name"], layer.FieldNames);
        Assert.Equal("a", layer.Values.Single()[0]);
        var placed = layer.OnGrid(grid);
        Assert.Equal(grid.PixelAt(x, y), placed.Points.Single().Pixel);
        Assert.Equal(4 * 8 + 3, placed.Points.Single().Pixel); // row 4, column 3: the axis order is right
    }

    [Fact]
    public void WarpsARasterOntoAGridAsGdalwarpDoes()
    {
        var dir = TestEnvironment.NewTempDirectory();
        // Labels on a 20 m grid in UTM 33N, read onto a 10 m grid offset by 5 m; gdalwarp -r near makes the same picture.
        var labels = Path.Combine(dir, "labels.tif");
        var values = Enumerable.Range(0, 36).Select(i => (float)(i % 7 + 1)).ToArray();
        values[8] = 0;
        TestRasters.Write(labels, 6, 6, 1, values, new GeoReference([500000, 20, 0, 5600000, 0, -20], TestRasters.Utm10m().ProjectionWkt), RasterDataType.Byte, noData: 0);
        var grid = new RasterGrid(TestRasters.Utm10m(500005, 5599995), 10, 10);
        using var raster = GdalRaster.Open(labels);
        var ours = raster.ReadOnGrid(1, grid);

        var warped = Path.Combine(dir, "warped.tif");
        ExternalTools.Run("gdalwarp", "-q", "-r", "near", "-te", "500005", "5599895", "500105", "5599995", "-tr", "10", "10", "-dstnodata", "255", labels, warped);
        using var theirs = GdalRaster.Open(warped);
        var expected = theirs.Read(0, 0, 10, 10, [1]).Select(v => v == 255 ? float.NaN : v).ToArray();
        Assert.Equal(expected, ours);
        Assert.Contains(float.NaN, ours); // the nodata pixel stays without a value
    }
}
