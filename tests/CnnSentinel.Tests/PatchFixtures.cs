using CnnSentinel.Raster;
using SkiaSharp;

namespace CnnSentinel.Tests;

/// <summary>Writes small EuroSAT-like files for tests: JPEGs, GeoTIFFs and class folders.</summary>
static class PatchFixtures
{
    /// <summary>The bundled sample (data/ in the repository).</summary>
    public static string BundledRgb => Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb");

    /// <summary>The bundled multispectral sample.</summary>
    public static string BundledMultispectral => Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-ms");

    /// <summary>A JPEG of <paramref name="width"/> × <paramref name="height"/> pixels in one colour (quality 100).</summary>
    public static void WriteJpeg(string path, int width = 64, int height = 64, SKColor? colour = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(colour ?? new SKColor(40, 120, 200));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>
    /// A GeoTIFF of <paramref name="bands"/> uint16 bands whose value at band b, row y, column x is
    /// <paramref name="value"/>(b, y, x); upper-left corner at (<paramref name="originX"/>, <paramref name="originY"/>)
    /// in EPSG <paramref name="epsg"/>, 10 m pixels.
    /// </summary>
    public static void WriteGeoTiff(string path, int bands = 13, int width = 64, int height = 64,
        Func<int, int, int, ushort>? value = null, double originX = 500000, double originY = 5500000, int epsg = 32632)
    {
        value ??= (b, y, x) => (ushort)(1000 * b + y + x);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var values = new float[bands * height * width];
        for (int b = 0, i = 0; b < bands; b++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) values[i++] = value(b, y, x);
        TestRasters.Write(path, width, height, bands, values, new GeoReference([originX, 10, 0, originY, 0, -10], $"EPSG:{epsg}"), RasterDataType.UInt16);
    }

    /// <summary>A folder with <paramref name="perClass"/> JPEGs for each of <paramref name="classes"/>.</summary>
    public static string RgbFolder(string root, string[] classes, int perClass)
    {
        foreach (var c in classes)
            for (int i = 1; i <= perClass; i++) WriteJpeg(Path.Combine(root, c, $"{c}_{i}.jpg"));
        return root;
    }
}
