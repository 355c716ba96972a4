using System.Globalization;
using CnnSentinel.Raster;

namespace CnnSentinel.Tests.Evaluation.Assessment;

/// <summary>
/// A tiny class map (4 × 4 pixels of 10 m, UTM 33N, lower-left corner of the top-left pixel at 500000, 5599990) with its
/// probability raster, and reference data written by GDAL's own tools, whose figures are worked out by hand in the tests.
/// </summary>
static class AssessmentFixtures
{
    /// <summary>Map values, row after row: Forest 1, AnnualCrop 0, Residential 7, River 8, Uncertain 10, Cloud 11, nodata 255.</summary>
    public static readonly byte[] MapValues =
    [
        1, 1, 1, 1,
        1, 1, 0, 0,
        7, 7, 0, 10,
        8, 255, 11, 0,
    ];

    /// <summary>The largest class probability of each map pixel (NaN at nodata).</summary>
    public static readonly float[] Probabilities =
    [
        0.9f, 0.9f, 0.9f, 0.3f,
        0.9f, 0.9f, 0.45f, 0.9f,
        0.9f, 0.9f, 0.9f, 0.2f,
        0.9f, float.NaN, 0.9f, 0.9f,
    ];

    /// <summary>Reference label codes on the map's grid: 1 cultivated, 2 forest, 8 artificial surface, 9 water, 0 no label.</summary>
    public static readonly float[] ReferenceCodes =
    [
        2, 2, 2, 1,
        2, 0, 1, 1,
        8, 1, 1, 1,
        9, 9, 8, 1,
    ];

    /// <summary>A mapping of <see cref="ReferenceCodes"/> to the built-in groups.</summary>
    public const string CodeMapping = "side,class,group\nreference,0,none\nreference,1,cropland/grassland\nreference,2,forest\nreference,8,built-up\nreference,9,water\n";

    public const double Left = 500000, Top = 5600000;

    public static GeoReference Grid => TestRasters.Utm10m(Left, Top);

    /// <summary>Writes the map as <c>tiny_classes.tif</c> and its probability as <c>tiny_probability.tif</c> in <paramref name="folder"/>; returns the map.</summary>
    public static string Map(string folder)
    {
        var map = Path.Combine(folder, "tiny_classes.tif");
        TestRasters.Write(map, 4, 4, 1, MapValues.Select(v => (float)v).ToArray(), Grid, RasterDataType.Byte, noData: 255);
        TestRasters.Write(Path.Combine(folder, "tiny_probability.tif"), 4, 4, 1, Probabilities, Grid, RasterDataType.Float32, noData: double.NaN);
        return map;
    }

    /// <summary>The centre of pixel (<paramref name="column"/>, <paramref name="row"/>) in UTM 33N.</summary>
    public static (double X, double Y) Centre(int column, int row) => (Left + 10 * column + 5, Top - 10 * row - 5);

    /// <summary>
    /// Points written to a GeoPackage by ogr2ogr from a CSV (x, y in UTM 33N, and a class): in <paramref name="epsg"/> when
    /// given (ogr2ogr reprojects them), else in UTM 33N. Returns the GeoPackage.
    /// </summary>
    public static string Points(string folder, string name, IEnumerable<(double X, double Y, string Class)> points, int? epsg = null, string field = "land_cover")
    {
        var csv = Path.Combine(folder, name + ".csv");
        File.WriteAllLines(csv, [$"x,y,{field}", .. points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X},{p.Y},{p.Class}"))]);
        var gpkg = Path.Combine(folder, name + ".gpkg");
        ExternalTools.Run("ogr2ogr", ["-f", "GPKG", gpkg, csv, "-oo", "X_POSSIBLE_NAMES=x", "-oo", "Y_POSSIBLE_NAMES=y", "-oo", "KEEP_GEOM_COLUMNS=NO",
            "-s_srs", "EPSG:32633", "-t_srs", $"EPSG:{epsg ?? 32633}", "-nln", name]);
        File.Delete(csv);
        return gpkg;
    }

    /// <summary>Polygons (WKT in UTM 33N, with a class each) written to a GeoPackage by ogr2ogr.</summary>
    public static string Polygons(string folder, string name, IEnumerable<(string Wkt, string Class)> polygons)
    {
        var csv = Path.Combine(folder, name + ".csv");
        File.WriteAllLines(csv, ["wkt,LULC_NAME", .. polygons.Select(p => $"\"{p.Wkt}\",{p.Class}")]);
        var gpkg = Path.Combine(folder, name + ".gpkg");
        ExternalTools.Run("ogr2ogr", ["-f", "GPKG", gpkg, csv, "-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO", "-a_srs", "EPSG:32633", "-nln", name]);
        File.Delete(csv);
        return gpkg;
    }

    /// <summary>A rectangle as WKT.</summary>
    public static string Rectangle(double left, double bottom, double right, double top) => string.Create(CultureInfo.InvariantCulture,
        $"POLYGON (({left} {bottom},{right} {bottom},{right} {top},{left} {top},{left} {bottom}))");
}
