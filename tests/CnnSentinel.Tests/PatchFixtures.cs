using BitMiracle.LibTiff.Classic;
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
    /// A GeoTIFF of <paramref name="bands"/> uint16 bands (pixel-interleaved, as EuroSAT's) whose value at band b,
    /// row y, column x is <paramref name="value"/>(b, y, x); upper-left corner at (<paramref name="originX"/>,
    /// <paramref name="originY"/>) in EPSG <paramref name="epsg"/>, 10 m pixels.
    /// </summary>
    public static void WriteGeoTiff(string path, int bands = 13, int width = 64, int height = 64,
        Func<int, int, int, ushort>? value = null, double originX = 500000, double originY = 5500000, int epsg = 32632)
    {
        value ??= (b, y, x) => (ushort)(1000 * b + y + x);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _ = GeoTiffTagsRegistered.Value;
        using var tiff = Tiff.Open(path, "w");
        tiff.SetField(TiffTag.IMAGEWIDTH, width);
        tiff.SetField(TiffTag.IMAGELENGTH, height);
        tiff.SetField(TiffTag.SAMPLESPERPIXEL, bands);
        tiff.SetField(TiffTag.BITSPERSAMPLE, 16);
        tiff.SetField(TiffTag.SAMPLEFORMAT, SampleFormat.UINT);
        tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
        tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
        tiff.SetField(TiffTag.ROWSPERSTRIP, 4);
        tiff.SetField(TiffTag.GEOTIFF_MODELTIEPOINTTAG, 6, new double[] { 0, 0, 0, originX, originY, 0 });
        tiff.SetField(TiffTag.GEOTIFF_MODELPIXELSCALETAG, 3, new double[] { 10, 10, 0 });
        tiff.SetField(TiffTag.GEOTIFF_GEOKEYDIRECTORYTAG, 12, new short[] { 1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, (short)epsg });
        var line = new byte[2 * bands * width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                for (int b = 0; b < bands; b++)
                {
                    var v = value(b, y, x);
                    line[2 * (x * bands + b)] = (byte)v;
                    line[2 * (x * bands + b) + 1] = (byte)(v >> 8);
                }
            tiff.WriteScanline(line, y);
        }
    }

    /// <summary>LibTiff writes only tags it knows: teach it the three GeoTIFF tags (once per process).</summary>
    static readonly Lazy<bool> GeoTiffTagsRegistered = new(() =>
    {
        TiffFieldInfo Field(TiffTag tag, TiffType type, string name) => new(tag, -1, -1, type, FieldBit.Custom, true, true, name);
        TiffFieldInfo[] fields =
        [
            Field(TiffTag.GEOTIFF_MODELTIEPOINTTAG, TiffType.DOUBLE, "ModelTiepointTag"),
            Field(TiffTag.GEOTIFF_MODELPIXELSCALETAG, TiffType.DOUBLE, "ModelPixelScaleTag"),
            Field(TiffTag.GEOTIFF_GEOKEYDIRECTORYTAG, TiffType.SHORT, "GeoKeyDirectoryTag"),
        ];
        Tiff.TiffExtendProc? parent = null;
        parent = Tiff.SetTagExtender(tif =>
        {
            tif.MergeFieldInfo(fields, fields.Length);
            parent?.Invoke(tif);
        });
        return true;
    });

    /// <summary>A folder with <paramref name="perClass"/> JPEGs for each of <paramref name="classes"/>.</summary>
    public static string RgbFolder(string root, string[] classes, int perClass)
    {
        foreach (var c in classes)
            for (int i = 1; i <= perClass; i++) WriteJpeg(Path.Combine(root, c, $"{c}_{i}.jpg"));
        return root;
    }
}
