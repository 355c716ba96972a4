using System.Globalization;
using System.Runtime.InteropServices;
using CnnSentinel.IO;

namespace CnnSentinel.Raster;

/// <summary>
/// Writes a GeoTIFF block by block, so a raster larger than memory can be produced, and publishes it
/// atomically: everything goes to a hidden temporary file beside the target, which <see cref="Commit"/>
/// renames over it. A writer disposed without <see cref="Commit"/> deletes its temporary file, so a
/// failure never leaves a half-written output under the target's name.
/// </summary>
/// <remarks>
/// The working file is a tiled GeoTIFF. With <see cref="GeoTiffOptions.CloudOptimized"/>, <see cref="Commit"/>
/// converts it with GDAL's COG driver (CreateCopy: overviews, tiles, header first) into a second
/// temporary file, which is the one renamed. What GDAL keeps beside a TIFF rather than in it (category names,
/// in <see cref="AuxiliaryPath"/>) is written beside the temporary file and published with it.
/// </remarks>
internal sealed class GeoTiffWriter : IDisposable
{
    readonly string _target;
    readonly string _temp;
    readonly GeoTiffOptions _options;
    IntPtr _dataset;
    bool _committed;

    GeoTiffWriter(IntPtr dataset, string target, string temp, GeoTiffOptions options, int width, int height, int bands, RasterDataType type)
    {
        _dataset = dataset;
        _target = target;
        _temp = temp;
        _options = options;
        Width = width;
        Height = height;
        BandCount = bands;
        DataType = type;
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Bands.</summary>
    public int BandCount { get; }

    /// <summary>Pixel type.</summary>
    public RasterDataType DataType { get; }

    /// <summary>Starts a GeoTIFF that <see cref="Commit"/> will publish as <paramref name="path"/>.</summary>
    /// <param name="path">The final file.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="bands">Bands.</param>
    /// <param name="type">Pixel type (Byte or Float32 are what the project writes).</param>
    /// <param name="georeference">Geotransform and projection to copy; none when null.</param>
    /// <param name="options">Layout, nodata, colour table, band names.</param>
    public static GeoTiffWriter Create(string path, int width, int height, int bands, RasterDataType type,
        GeoReference? georeference, GeoTiffOptions? options = null)
    {
        Gdal.EnsureLoaded();
        options ??= new GeoTiffOptions();
        if (width <= 0 || height <= 0 || bands <= 0) throw new ArgumentException($"{path}: cannot create a {width}×{height}×{bands} raster.");
        if (options.ColorTable is not null && type != RasterDataType.Byte) throw new ArgumentException($"{path}: a colour table needs a Byte raster, not {type}.");
        var driver = GdalNative.GDALGetDriverByName("GTiff");
        if (driver == IntPtr.Zero) throw new GdalException("GDAL has no GTiff driver.");
        var temp = AtomicFile.TempPathFor(path);
        // The working copy of a COG is rewritten by CreateCopy, so compress it lightly.
        string?[] creation =
        [
            "TILED=YES", $"BLOCKXSIZE={options.BlockSize}", $"BLOCKYSIZE={options.BlockSize}", "BIGTIFF=IF_SAFER",
            $"COMPRESS={options.Compression}", options.CloudOptimized ? "ZLEVEL=1" : "ZLEVEL=6", "INTERLEAVE=BAND", null,
        ];
        GdalNative.CPLErrorReset();
        var dataset = GdalNative.GDALCreate(driver, temp, width, height, bands, (int)type, creation);
        if (dataset == IntPtr.Zero) throw new GdalException($"{path}: cannot create GeoTIFF: {Gdal.LastError()}");
        var writer = new GeoTiffWriter(dataset, path, temp, options, width, height, bands, type);
        try
        {
            writer.Annotate(georeference);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        return writer;
    }

    /// <summary>
    /// GDAL's auxiliary file (PAM, <c>.aux.xml</c>) of the raster <paramref name="path"/>: where its GeoTIFF driver keeps
    /// what no TIFF tag holds, such as category names (and statistics a reader computes). GDAL, QGIS and rasterio read it
    /// with the TIFF; copy it along.
    /// </summary>
    public static string AuxiliaryPath(string path) => path + ".aux.xml";

    /// <summary>
    /// Copies the window (x, y, width, height) of every band of <paramref name="source"/> into a new GeoTIFF with the
    /// window's georeference; for crops that fit in memory (tests, examples, benchmarks).
    /// </summary>
    public static void CopyWindow(GdalRaster source, int x, int y, int width, int height, string path, GeoTiffOptions? options = null)
    {
        var pixels = source.Read(x, y, width, height);
        using var writer = Create(path, width, height, source.BandCount, source.DataType(1), source.GeoReference?.Offset(x, y),
            options ?? new GeoTiffOptions(CloudOptimized: false));
        for (int b = 0; b < source.BandCount; b++)
            writer.Write(b + 1, 0, 0, width, height, pixels.AsSpan(b * width * height, width * height).ToArray());
        writer.Commit();
    }

    void Annotate(GeoReference? georeference)
    {
        if (georeference is not null)
        {
            Gdal.Check(GdalNative.GDALSetGeoTransform(_dataset, georeference.GeoTransform.ToArray()), "setting the geotransform", _target);
            if (georeference.ProjectionWkt.Length > 0)
                Gdal.Check(GdalNative.GDALSetProjection(_dataset, georeference.ProjectionWkt), "setting the projection", _target);
        }
        for (int b = 1; b <= BandCount; b++)
        {
            var band = GdalNative.GDALGetRasterBand(_dataset, b);
            if (_options.NoData is { } noData) Gdal.Check(GdalNative.GDALSetRasterNoDataValue(band, noData), "setting nodata", _target);
            if (_options.BandDescriptions is { } names && b <= names.Count) GdalNative.GDALSetDescription(band, names[b - 1]);
        }
        // Category names rather than a raster attribute table: GDAL's GeoTIFF driver keeps either in the auxiliary file, the
        // names are what gdalinfo lists and QGIS labels the colour table's entries with, and a table would repeat the colours.
        if (_options.CategoryNames is { } categories)
            Gdal.Check(GdalNative.GDALSetRasterCategoryNames(GdalNative.GDALGetRasterBand(_dataset, 1), [.. categories, null]),
                "setting the category names", _target);
        if (_options.ColorTable is { } colors)
        {
            var table = GdalNative.GDALCreateColorTable(GdalNative.GPI_RGB);
            try
            {
                for (int i = 0; i < colors.Count; i++)
                {
                    var entry = new GdalNative.ColorEntry { C1 = colors[i].R, C2 = colors[i].G, C3 = colors[i].B, C4 = 255 };
                    GdalNative.GDALSetColorEntry(table, i, ref entry);
                }
                Gdal.Check(GdalNative.GDALSetRasterColorTable(GdalNative.GDALGetRasterBand(_dataset, 1), table), "setting the colour table", _target);
            }
            finally
            {
                GdalNative.GDALDestroyColorTable(table);
            }
        }
    }

    /// <summary>Writes a window of band <paramref name="band"/> (1-based); <paramref name="data"/> is row after row.</summary>
    public void Write(int band, int x, int y, int width, int height, byte[] data) => WriteWindow(band, x, y, width, height, data, RasterDataType.Byte);

    /// <summary>Writes a window of band <paramref name="band"/> (1-based); <paramref name="data"/> is row after row.</summary>
    public void Write(int band, int x, int y, int width, int height, float[] data) => WriteWindow(band, x, y, width, height, data, RasterDataType.Float32);

    void WriteWindow(int band, int x, int y, int width, int height, Array data, RasterDataType bufferType)
    {
        if (_dataset == IntPtr.Zero) throw new ObjectDisposedException(_target);
        if (band < 1 || band > BandCount) throw new ArgumentOutOfRangeException(nameof(band), $"{_target}: band {band} does not exist (it has {BandCount}).");
        if (x < 0 || y < 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"{_target}: window ({x}, {y}, {width}×{height}) is outside the raster ({Width}×{Height}).");
        if (data.Length != (long)width * height) throw new ArgumentException($"{_target}: {data.Length} values for a {width}×{height} window.");
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            GdalNative.CPLErrorReset();
            Gdal.Check(GdalNative.GDALRasterIO(GdalNative.GDALGetRasterBand(_dataset, band), GdalNative.GF_Write, x, y, width, height,
                pin.AddrOfPinnedObject(), width, height, (int)bufferType, 0, 0), $"writing band {band} window ({x}, {y}, {width}×{height})", _target);
        }
        finally
        {
            pin.Free();
        }
    }

    /// <summary>Finishes the file (as a COG when asked), checks it and renames it to its final name.</summary>
    /// <exception cref="GdalException">GDAL reported an error while writing the file's last blocks or directory (a full disk); the target is left as it was.</exception>
    public void Commit()
    {
        using var set = new OutputSet();
        CommitTo(set);
        set.Commit();
    }

    /// <summary>
    /// Finishes the file (as a COG when asked), closes it, checks that every write and the close succeeded and that GDAL reads
    /// the finished file back, and hands it to <paramref name="set"/>, which renames it (with its auxiliary file) into place
    /// together with the set's other files.
    /// </summary>
    /// <exception cref="GdalException">GDAL reported an error while writing the file's last blocks or directory (a full disk); nothing is added.</exception>
    public void CommitTo(OutputSet set)
    {
        if (_committed) return;
        if (_dataset == IntPtr.Zero) throw new ObjectDisposedException(_target);
        GdalNative.CPLErrorReset();
        GdalNative.GDALFlushCache(_dataset);
        Gdal.CheckNoError("writing the last blocks", _target);
        if (!_options.CloudOptimized)
        {
            CloseChecked();
            Hand(_temp, set);
            return;
        }
        var cogTemp = AtomicFile.TempPathFor(_target);
        try
        {
            var driver = GdalNative.GDALGetDriverByName("COG");
            if (driver == IntPtr.Zero) throw new GdalException($"{_target}: this GDAL has no COG driver (GDAL 3.1 or newer needed).");
            string?[] options =
            [
                $"COMPRESS={_options.Compression}", $"BLOCKSIZE={_options.BlockSize}", "BIGTIFF=IF_SAFER",
                $"RESAMPLING={_options.OverviewResampling}", $"NUM_THREADS={Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)}", null,
            ];
            GdalNative.CPLErrorReset();
            var copy = GdalNative.GDALCreateCopy(driver, cogTemp, _dataset, 0, options, IntPtr.Zero, IntPtr.Zero);
            if (copy == IntPtr.Zero) throw new GdalException($"{_target}: writing the Cloud-Optimised GeoTIFF failed: {Gdal.LastError()}");
            // GDAL may report a failed write (no space left) only through its error state, and the copy's last blocks and
            // directory are written on close.
            var copyError = GdalNative.CPLGetLastErrorType() >= GdalNative.CE_Failure ? Gdal.LastError() : null;
            GdalNative.CPLErrorReset();
            GdalNative.GDALClose(copy);
            if (copyError is not null) throw new GdalException($"{_target}: writing the Cloud-Optimised GeoTIFF failed: {copyError}");
            Gdal.CheckNoError("writing the Cloud-Optimised GeoTIFF", _target);
            CloseChecked();
            AtomicFile.Discard(_temp);
            Hand(cogTemp, set);
        }
        catch
        {
            AtomicFile.Discard(cogTemp);
            throw;
        }
    }

    // Flushes the finished work file to disk and reads it back (its directory and its last pixel of every band) before the set
    // may publish it: a file truncated by a full disk fails here, not in the reader's GIS. The auxiliary file goes into place
    // before the TIFF, so that the TIFF never shows under its name without it; a target's old auxiliary file (another run's
    // names, a reader's statistics) would describe the new TIFF wrongly, so it goes when the new TIFF has none.
    void Hand(string finished, OutputSet set)
    {
        try
        {
            AtomicFile.FlushToDisk(finished);
            if (File.Exists(AuxiliaryPath(finished))) AtomicFile.FlushToDisk(AuxiliaryPath(finished));
            using (var check = GdalRaster.Open(finished))
            {
                if (check.Width != Width || check.Height != Height || check.BandCount != BandCount)
                    throw new GdalException($"{_target}: the written file reads back as {check.Width}×{check.Height}×{check.BandCount}, not {Width}×{Height}×{BandCount}.");
                check.Read(Width - 1, Height - 1, 1, 1);
            }
        }
        catch (Exception e) when (e is GdalException or IOException)
        {
            AtomicFile.Discard(finished);
            throw new GdalException($"{_target}: the finished file does not read back ({e.Message}); nothing was replaced.");
        }
        if (File.Exists(AuxiliaryPath(finished))) set.Add(AuxiliaryPath(finished), AuxiliaryPath(_target));
        else set.Remove(AuxiliaryPath(_target));
        set.Add(finished, _target);
        _committed = true;
    }

    void CloseChecked()
    {
        GdalNative.CPLErrorReset();
        Close();
        Gdal.CheckNoError("closing the file", _target);
    }

    void Close()
    {
        if (_dataset == IntPtr.Zero) return;
        GdalNative.GDALClose(_dataset);
        _dataset = IntPtr.Zero;
    }

    /// <summary>Closes the file; without a <see cref="Commit"/> the temporary file is deleted and the target is left as it was.</summary>
    public void Dispose()
    {
        Close();
        if (!_committed) AtomicFile.Discard(_temp);
    }
}
