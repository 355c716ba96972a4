using System.Runtime.InteropServices;

namespace CnnSentinel.Raster;

/// <summary>
/// A raster opened for reading through GDAL: any format GDAL reads (GeoTIFF, JPEG 2000, VRT, …).
/// Reads windows of chosen bands as float32; not thread-safe (use one instance per thread).
/// </summary>
internal sealed class GdalRaster : IDisposable
{
    IntPtr _dataset;

    GdalRaster(IntPtr dataset, string path)
    {
        _dataset = dataset;
        Path = path;
        Width = GdalNative.GDALGetRasterXSize(dataset);
        Height = GdalNative.GDALGetRasterYSize(dataset);
        BandCount = GdalNative.GDALGetRasterCount(dataset);
    }

    /// <summary>The file (or VRT description) this raster was opened from; used in error messages.</summary>
    public string Path { get; }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Number of bands.</summary>
    public int BandCount { get; }

    /// <summary>GDAL's short driver name, e.g. "GTiff", "JP2OpenJPEG", "VRT".</summary>
    public string DriverName => Marshal.PtrToStringUTF8(GdalNative.GDALGetDriverShortName(GdalNative.GDALGetDatasetDriver(Handle))) ?? "";

    /// <summary>The georeference, or null when the file has no geotransform (a plain image).</summary>
    public GeoReference? GeoReference
    {
        get
        {
            var transform = new double[6];
            // GDAL returns CE_Failure and the default transform (0,1,0,0,0,1) when there is none.
            if (GdalNative.GDALGetGeoTransform(Handle, transform) != GdalNative.CE_None) return null;
            var wkt = Marshal.PtrToStringUTF8(GdalNative.GDALGetProjectionRef(Handle)) ?? "";
            return new GeoReference(transform, wkt);
        }
    }

    /// <summary>The EPSG code of the coordinate system, or 0 when the file names none or one without an EPSG code.</summary>
    internal int Epsg
    {
        get
        {
            var srs = GdalNative.GDALGetSpatialRef(Handle);
            if (srs == IntPtr.Zero || Marshal.PtrToStringUTF8(GdalNative.OSRGetAuthorityName(srs, IntPtr.Zero)) != "EPSG") return 0;
            return int.TryParse(Marshal.PtrToStringUTF8(GdalNative.OSRGetAuthorityCode(srs, IntPtr.Zero)), out var code) ? code : 0;
        }
    }

    internal IntPtr Handle => _dataset != IntPtr.Zero ? _dataset : throw new ObjectDisposedException(Path);

    /// <summary>Opens <paramref name="path"/> read-only.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="GdalException">GDAL cannot read it as a raster; the message gives GDAL's reason.</exception>
    public static GdalRaster Open(string path) => Open(path, allowedDrivers: null, siblingFiles: null);

    /// <summary>
    /// Opens <paramref name="path"/> read-only with GDAL's <paramref name="driver"/> only, and without looking for side-car
    /// files (.aux.xml, .ovr, world files): GDAL would otherwise list the file's folder at every open, which for a
    /// folder of thousands of patches costs more than reading the patch.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="GdalException">That driver cannot read it; the message gives GDAL's reason.</exception>
    internal static GdalRaster OpenAlone(string path, string driver) => Open(path, [driver, null], [null]);

    static GdalRaster Open(string path, string?[]? allowedDrivers, string?[]? siblingFiles)
    {
        Gdal.EnsureLoaded();
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"Raster not found: {path}", path);
        GdalNative.CPLErrorReset();
        var dataset = GdalNative.GDALOpenEx(path, GdalNative.GDAL_OF_RASTER | GdalNative.GDAL_OF_VERBOSE_ERROR, allowedDrivers, IntPtr.Zero, siblingFiles);
        if (dataset == IntPtr.Zero) throw new GdalException($"{path}: not a raster GDAL can read: {Gdal.LastError()}");
        return new GdalRaster(dataset, path);
    }

    /// <summary>
    /// Stacks single-band files into one virtual raster (GDAL VRT, in memory), band i = file i, on the
    /// grid of the finest file: coarser bands (Sentinel-2's 20 m and 60 m) are resampled to it.
    /// </summary>
    /// <param name="files">One raster per band, in the wanted band order; all must overlap.</param>
    /// <param name="resampling">GDAL resampling name: "nearest" (what EuroSAT used, issue #3), "bilinear", "cubic", …</param>
    public static GdalRaster Stack(IReadOnlyList<string> files, string resampling = "nearest")
    {
        Gdal.EnsureLoaded();
        if (files.Count == 0) throw new ArgumentException("No band files to stack.", nameof(files));
        foreach (var file in files)
            if (!File.Exists(file)) throw new FileNotFoundException($"Band file not found: {file}", file);
        var options = GdalNative.GDALBuildVRTOptionsNew(["-separate", "-resolution", "highest", "-r", resampling, null], IntPtr.Zero);
        if (options == IntPtr.Zero) throw new GdalException($"GDALBuildVRT options rejected: {Gdal.LastError()}");
        try
        {
            GdalNative.CPLErrorReset();
            var names = files.Select(System.IO.Path.GetFullPath).Cast<string?>().Append(null).ToArray();
            var dataset = GdalNative.GDALBuildVRT("", files.Count, IntPtr.Zero, names, options, out _);
            var description = $"stack of {string.Join(", ", files.Select(System.IO.Path.GetFileName))}";
            if (dataset == IntPtr.Zero) throw new GdalException($"{description}: GDALBuildVRT failed: {Gdal.LastError()}");
            return new GdalRaster(dataset, description);
        }
        finally
        {
            GdalNative.GDALBuildVRTOptionsFree(options);
        }
    }

    /// <summary>An empty raster in memory (GDAL's MEM driver, filled with 0) on <paramref name="grid"/>: where data from elsewhere is burnt or warped to.</summary>
    internal static GdalRaster InMemory(RasterGrid grid, int bands, RasterDataType type)
    {
        Gdal.EnsureLoaded();
        GdalNative.CPLErrorReset();
        var dataset = GdalNative.GDALCreate(GdalNative.GDALGetDriverByName("MEM"), "", grid.Width, grid.Height, bands, (int)type, [null]);
        if (dataset == IntPtr.Zero) throw new GdalException($"in-memory raster of {grid.Width}×{grid.Height}: GDALCreate failed: {Gdal.LastError()}");
        var raster = new GdalRaster(dataset, $"in-memory raster of {grid.Width}×{grid.Height}");
        Gdal.Check(GdalNative.GDALSetGeoTransform(dataset, [.. grid.GeoReference.GeoTransform]), "setting the geotransform", raster.Path);
        if (grid.GeoReference.ProjectionWkt.Length > 0)
            Gdal.Check(GdalNative.GDALSetProjection(dataset, grid.GeoReference.ProjectionWkt), "setting the coordinate system", raster.Path);
        return raster;
    }

    /// <summary>The coordinate system of the raster, or null when it names none.</summary>
    internal SpatialReference? SpatialReference => SpatialReference.CopyOf(GdalNative.GDALGetSpatialRef(Handle));

    /// <summary>
    /// Band <paramref name="band"/> (1-based) warped onto <paramref name="grid"/> by nearest neighbour (GDALReprojectImage), whatever
    /// this raster's own grid and coordinate system: one value per grid pixel, row after row, NaN where the raster has no
    /// data (its nodata value) or does not reach.
    /// </summary>
    /// <exception cref="InvalidDataException">This raster or the grid has no coordinate system.</exception>
    /// <exception cref="GdalException">GDAL cannot warp between them.</exception>
    internal float[] ReadOnGrid(int band, RasterGrid grid)
    {
        BandHandle(band);
        using (var own = SpatialReference)
            if (own is null) throw new InvalidDataException($"{Path} has no coordinate system (unknown CRS): it cannot be brought onto the map's grid.");
        using var target = InMemory(grid, BandCount, RasterDataType.Float32);
        for (int b = 1; b <= BandCount; b++)
        {
            var targetBand = GdalNative.GDALGetRasterBand(target.Handle, b);
            Gdal.Check(OgrNative.GDALFillRaster(targetBand, double.NaN, 0), "filling with NaN", target.Path);
            Gdal.Check(GdalNative.GDALSetRasterNoDataValue(targetBand, double.NaN), "setting nodata", target.Path);
        }
        GdalNative.CPLErrorReset();
        Gdal.Check(OgrNative.GDALReprojectImage(Handle, IntPtr.Zero, target.Handle, IntPtr.Zero, OgrNative.GRA_NearestNeighbour, 0, 0,
            IntPtr.Zero, IntPtr.Zero, IntPtr.Zero), "warping onto the map's grid", Path);
        var values = target.Read(0, 0, grid.Width, grid.Height, [band]);
        if (NoData(band) is { } noData)
            for (int i = 0; i < values.Length; i++)
                if (values[i] == (float)noData) values[i] = float.NaN;
        return values;
    }

    /// <summary>The nodata value of band <paramref name="band"/> (1-based), or null when none is set.</summary>
    public double? NoData(int band)
    {
        var value = GdalNative.GDALGetRasterNoDataValue(BandHandle(band), out var has);
        return has != 0 ? value : null;
    }

    /// <summary>The description of band <paramref name="band"/> (1-based), often its name ("B04"); empty when none.</summary>
    public string BandDescription(int band) => Marshal.PtrToStringUTF8(GdalNative.GDALGetDescription(BandHandle(band))) ?? "";

    /// <summary>What band <paramref name="band"/> (1-based) shows (red, green, blue, palette, …); Undefined when unrecorded.</summary>
    public ColorInterpretation ColorInterpretation(int band) => (ColorInterpretation)GdalNative.GDALGetRasterColorInterpretation(BandHandle(band));

    /// <summary>The pixel type of band <paramref name="band"/> (1-based).</summary>
    public RasterDataType DataType(int band) => (RasterDataType)GdalNative.GDALGetRasterDataType(BandHandle(band));

    /// <summary>The colour table of band <paramref name="band"/> (1-based), or null when it has none.</summary>
    public IReadOnlyList<RgbColor>? ColorTable(int band)
    {
        var table = GdalNative.GDALGetRasterColorTable(BandHandle(band));
        if (table == IntPtr.Zero) return null;
        var count = GdalNative.GDALGetColorEntryCount(table);
        var colors = new RgbColor[count];
        for (int i = 0; i < count; i++)
        {
            var entry = Marshal.PtrToStructure<GdalNative.ColorEntry>(GdalNative.GDALGetColorEntry(table, i));
            colors[i] = new RgbColor((byte)entry.C1, (byte)entry.C2, (byte)entry.C3);
        }
        return colors;
    }

    /// <summary>
    /// Reads a window of the given bands as float32, band after band: element
    /// <c>[b * height * width + row * width + column]</c>. The window must lie inside the raster.
    /// </summary>
    /// <param name="x">First column.</param>
    /// <param name="y">First row.</param>
    /// <param name="width">Columns to read.</param>
    /// <param name="height">Rows to read.</param>
    /// <param name="bands">1-based band numbers, in the order wanted; all bands when null.</param>
    public float[] Read(int x, int y, int width, int height, int[]? bands = null) =>
        Read<float>(RasterDataType.Float32, x, y, width, height, bands);

    /// <summary>Reads a window as <see cref="Read(int, int, int, int, int[])"/> does, as unsigned 16-bit values (for bands stored so).</summary>
    internal ushort[] ReadUInt16(int x, int y, int width, int height, int[]? bands = null) =>
        Read<ushort>(RasterDataType.UInt16, x, y, width, height, bands);

    T[] Read<T>(RasterDataType type, int x, int y, int width, int height, int[]? bands) where T : unmanaged
    {
        bands ??= Enumerable.Range(1, BandCount).ToArray();
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"{Path}: window ({x}, {y}, {width}×{height}) is outside the raster ({Width}×{Height}).");
        foreach (var b in bands)
            if (b < 1 || b > BandCount) throw new ArgumentOutOfRangeException(nameof(bands), $"{Path}: band {b} does not exist (it has {BandCount}).");
        var buffer = new T[(long)bands.Length * width * height];
        var pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            GdalNative.CPLErrorReset();
            Gdal.Check(GdalNative.GDALDatasetRasterIO(Handle, GdalNative.GF_Read, x, y, width, height, pin.AddrOfPinnedObject(),
                width, height, (int)type, bands.Length, bands, 0, 0, 0), $"reading window ({x}, {y}, {width}×{height})", Path);
        }
        finally
        {
            pin.Free();
        }
        return buffer;
    }

    IntPtr BandHandle(int band)
    {
        if (band < 1 || band > BandCount) throw new ArgumentOutOfRangeException(nameof(band), $"{Path}: band {band} does not exist (it has {BandCount}).");
        return GdalNative.GDALGetRasterBand(Handle, band);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_dataset == IntPtr.Zero) return;
        GdalNative.GDALClose(_dataset);
        _dataset = IntPtr.Zero;
    }
}
