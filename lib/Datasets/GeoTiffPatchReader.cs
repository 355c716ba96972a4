using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;

namespace CnnSentinel.Datasets;

/// <summary>
/// Reads a EuroSAT multispectral GeoTIFF: checks that it has <see cref="SentinelBands.Count"/> bands of
/// unsigned 16-bit integers at the expected size, and returns the bands in file order (B01 … B12, B8A).
/// </summary>
internal static class GeoTiffPatchReader
{
    // GeoKeyDirectory keys that name the CRS (GeoTIFF 1.0, section 6.3).
    const int ProjectedCrsKey = 3072;
    const int GeographicCrsKey = 2048;

    /// <summary>
    /// Reads <paramref name="path"/> as <paramref name="bands"/> planes of <paramref name="height"/> × <paramref name="width"/> values.
    /// </summary>
    /// <exception cref="InvalidPatchException">Not a TIFF, damaged, or of another band count, sample type or size.</exception>
    public static ushort[] Read(string path, int height = 64, int width = 64, int bands = SentinelBands.Count)
    {
        using var tiff = Open(path);
        Check(tiff, path, height, width, bands);
        var pixels = new ushort[bands * height * width];
        int plane = height * width;
        bool planar = tiff.GetField(TiffTag.PLANARCONFIG) is { } pc && (PlanarConfig)pc[0].ToInt() == PlanarConfig.SEPARATE;
        var line = new byte[tiff.ScanlineSize()];
        // LibTiff hands out samples in the machine's byte order.
        var samples = MemoryMarshal.Cast<byte, ushort>(line.AsSpan());
        for (short band = 0; band < (planar ? bands : 1); band++)
            for (int y = 0; y < height; y++)
            {
                if (!tiff.ReadScanline(line, y, band))
                    throw new InvalidPatchException(path, $"row {y} could not be read; the file is damaged or truncated{TiffErrors.Describe()}");
                if (planar)
                    samples[..width].CopyTo(pixels.AsSpan(band * plane + y * width, width));
                else
                    for (int b = 0; b < bands; b++)
                    {
                        var target = pixels.AsSpan(b * plane + y * width, width);
                        for (int x = 0, i = b; x < width; x++, i += bands) target[x] = samples[i];
                    }
            }
        return pixels;
    }

    /// <summary>The patch's georeferencing.</summary>
    /// <exception cref="InvalidPatchException">The file has no ModelTiepoint/ModelPixelScale tags.</exception>
    public static PatchGeoreference ReadGeoreference(string path)
    {
        using var tiff = Open(path);
        var tiepoint = tiff.GetField(TiffTag.GEOTIFF_MODELTIEPOINTTAG)?[1].ToDoubleArray();
        var scale = tiff.GetField(TiffTag.GEOTIFF_MODELPIXELSCALETAG)?[1].ToDoubleArray();
        if (tiepoint is not { Length: >= 6 } || scale is not { Length: >= 2 })
            throw new InvalidPatchException(path, "has no GeoTIFF georeferencing (ModelTiepoint and ModelPixelScale tags)");
        int width = tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt(), height = tiff.GetField(TiffTag.IMAGELENGTH)[0].ToInt();
        // The tiepoint ties raster point (I, J) to map point (X, Y); shift it to the raster's corner (0, 0).
        double originX = tiepoint[3] - tiepoint[0] * scale[0];
        double originY = tiepoint[4] + tiepoint[1] * scale[1];
        return new PatchGeoreference(Epsg(tiff), originX, originY, scale[0], scale[1], width, height);
    }

    static int Epsg(Tiff tiff)
    {
        var keys = tiff.GetField(TiffTag.GEOTIFF_GEOKEYDIRECTORYTAG)?[1].ToShortArray();
        if (keys is null || keys.Length < 4) return 0;
        int count = keys[3];
        int found = 0;
        for (int k = 0; k < count && 4 * k + 7 < keys.Length; k++)
        {
            int id = (ushort)keys[4 + 4 * k], location = (ushort)keys[5 + 4 * k], value = (ushort)keys[7 + 4 * k];
            if (location != 0) continue; // value stored in another tag: not a CRS code
            if (id == ProjectedCrsKey) return value;
            if (id == GeographicCrsKey) found = value;
        }
        return found;
    }

    static Tiff Open(string path)
    {
        if (!File.Exists(path)) throw new InvalidPatchException(path, "does not exist");
        TiffErrors.Install();
        TiffErrors.Clear();
        // One read of the whole (small) file, then LibTiff works in memory: far faster than its many small file reads.
        var tiff = Tiff.ClientOpen(path, "r", new MemoryStream(File.ReadAllBytes(path), writable: false), new TiffStream());
        return tiff ?? throw new InvalidPatchException(path, $"is not a readable TIFF{TiffErrors.Describe()}");
    }

    static void Check(Tiff tiff, string path, int height, int width, int bands)
    {
        int Field(TiffTag tag, int missing) => tiff.GetField(tag) is { } v ? v[0].ToInt() : missing;
        int samples = Field(TiffTag.SAMPLESPERPIXEL, 1);
        if (samples != bands)
            throw new InvalidPatchException(path, $"has {samples} bands, expected {bands} (EuroSAT MS: {string.Join(", ", SentinelBands.Names)})");
        int bits = Field(TiffTag.BITSPERSAMPLE, 1);
        var format = (SampleFormat)Field(TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
        if (bits != 16 || format != SampleFormat.UINT)
            throw new InvalidPatchException(path, $"stores {bits}-bit {format} samples, expected 16-bit unsigned integers");
        int w = Field(TiffTag.IMAGEWIDTH, 0), h = Field(TiffTag.IMAGELENGTH, 0);
        if (w != width || h != height)
            throw new InvalidPatchException(path, $"is {w}×{h} pixels, expected {width}×{height}");
        if (tiff.IsTiled())
            throw new InvalidPatchException(path, "is tiled; EuroSAT patches are stored in strips");
    }

    /// <summary>
    /// Collects LibTiff's messages, per thread, instead of letting it print them to the console
    /// (LibTiff's handler is process-wide; the loader reads files on several threads at once).
    /// </summary>
    sealed class TiffErrors : TiffErrorHandler
    {
        static readonly Lazy<TiffErrors> Instance = new(() =>
        {
            var handler = new TiffErrors();
            Tiff.SetErrorHandler(handler);
            return handler;
        });

        [ThreadStatic] static List<string>? _messages;

        public static void Install() => _ = Instance.Value;

        public static void Clear() => _messages?.Clear();

        public static string Describe() => _messages is { Count: > 0 } m ? $" ({string.Join("; ", m)})" : "";

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
            (_messages ??= []).Add(string.Format(format, args));

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
    }
}
