using System.Runtime.InteropServices;

namespace CnnSentinel.Raster;

/// <summary>
/// The few functions of GDAL's C API (gdal.h, cpl_error.h, gdal_utils.h) that the project uses, bound by P/Invoke.
/// </summary>
/// <remarks>
/// Why a hand-written binding: no managed GDAL package (MaxRev.Gdal.Core, Gdal.Native) is served to this
/// project, while every Debian/Ubuntu machine has the system GDAL (<c>libgdal32</c>). The C API is
/// stable across GDAL 3.x, so binding the ~35 functions needed here is smaller and safer than a generated
/// SWIG layer. Keep it thin: no logic here, only signatures; <see cref="GdalRaster"/> and
/// <see cref="GeoTiffWriter"/> wrap it. String lists (char**) are marshalled as LPStr, which .NET encodes as
/// UTF-8 on Linux, and end with a null entry as GDAL expects. The library name <c>gdal</c> is resolved by <see cref="Gdal.EnsureLoaded"/>.
/// </remarks>
internal static class GdalNative
{
    internal const string Library = "gdal";

    internal const int GA_ReadOnly = 0;
    internal const int GF_Read = 0;
    internal const int GF_Write = 1;
    internal const int GPI_RGB = 1;
    internal const int CE_None = 0;
    internal const int CE_Failure = 3;
    internal const uint GDAL_OF_RASTER = 0x02;
    internal const uint GDAL_OF_VERBOSE_ERROR = 0x40;

    /// <summary>One colour table entry (GDALColorEntry: four shorts).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ColorEntry
    {
        public short C1, C2, C3, C4;
    }

    [DllImport(Library)] internal static extern void GDALAllRegister();
    [DllImport(Library)] internal static extern IntPtr GDALVersionInfo([MarshalAs(UnmanagedType.LPUTF8Str)] string request);
    [DllImport(Library)] internal static extern void CPLSetErrorHandler(IntPtr handler);
    [DllImport(Library)] internal static extern void CPLErrorReset();
    [DllImport(Library)] internal static extern void GDALSetCacheMax64(long bytes);
    [DllImport(Library)] internal static extern IntPtr CPLGetLastErrorMsg();
    [DllImport(Library)] internal static extern int CPLGetLastErrorType();

    [DllImport(Library)]
    internal static extern IntPtr GDALOpenEx([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint flags,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[]? allowedDrivers, IntPtr openOptions,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[]? siblingFiles);
    [DllImport(Library)] internal static extern void GDALClose(IntPtr dataset);
    [DllImport(Library)] internal static extern int GDALGetRasterXSize(IntPtr dataset);
    [DllImport(Library)] internal static extern int GDALGetRasterYSize(IntPtr dataset);
    [DllImport(Library)] internal static extern int GDALGetRasterCount(IntPtr dataset);
    [DllImport(Library)] internal static extern int GDALGetGeoTransform(IntPtr dataset, [Out] double[] transform);
    [DllImport(Library)] internal static extern int GDALSetGeoTransform(IntPtr dataset, double[] transform);
    [DllImport(Library)] internal static extern IntPtr GDALGetProjectionRef(IntPtr dataset);
    [DllImport(Library)] internal static extern IntPtr GDALGetSpatialRef(IntPtr dataset);
    [DllImport(Library)] internal static extern IntPtr OSRGetAuthorityName(IntPtr spatialReference, IntPtr targetKey);
    [DllImport(Library)] internal static extern IntPtr OSRGetAuthorityCode(IntPtr spatialReference, IntPtr targetKey);
    [DllImport(Library)] internal static extern int GDALSetProjection(IntPtr dataset, [MarshalAs(UnmanagedType.LPUTF8Str)] string wkt);
    [DllImport(Library)] internal static extern IntPtr GDALGetDatasetDriver(IntPtr dataset);
    [DllImport(Library)] internal static extern IntPtr GDALGetDriverShortName(IntPtr driver);
    [DllImport(Library)] internal static extern IntPtr GDALGetDriverByName([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport(Library)] internal static extern void GDALFlushCache(IntPtr dataset);

    [DllImport(Library)] internal static extern IntPtr GDALGetRasterBand(IntPtr dataset, int band);
    [DllImport(Library)] internal static extern double GDALGetRasterNoDataValue(IntPtr band, out int hasNoData);
    [DllImport(Library)] internal static extern int GDALSetRasterNoDataValue(IntPtr band, double value);
    [DllImport(Library)] internal static extern int GDALGetRasterDataType(IntPtr band);
    [DllImport(Library)] internal static extern IntPtr GDALGetDescription(IntPtr objectHandle);
    [DllImport(Library)] internal static extern void GDALSetDescription(IntPtr objectHandle, [MarshalAs(UnmanagedType.LPUTF8Str)] string description);
    [DllImport(Library)] internal static extern int GDALGetRasterColorInterpretation(IntPtr band);

    [DllImport(Library)]
    internal static extern int GDALDatasetRasterIO(IntPtr dataset, int readOrWrite, int x, int y, int width, int height,
        IntPtr buffer, int bufferWidth, int bufferHeight, int bufferType, int bandCount, int[] bands,
        int pixelSpace, int lineSpace, int bandSpace);
    [DllImport(Library)]
    internal static extern int GDALRasterIO(IntPtr band, int readOrWrite, int x, int y, int width, int height,
        IntPtr buffer, int bufferWidth, int bufferHeight, int bufferType, int pixelSpace, int lineSpace);

    [DllImport(Library)]
    internal static extern IntPtr GDALCreate(IntPtr driver, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int width, int height,
        int bands, int type, [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] options);
    [DllImport(Library)]
    internal static extern IntPtr GDALCreateCopy(IntPtr driver, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr source, int strict,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] options, IntPtr progress, IntPtr progressData);

    [DllImport(Library)] internal static extern IntPtr GDALCreateColorTable(int paletteInterpretation);
    [DllImport(Library)] internal static extern void GDALDestroyColorTable(IntPtr table);
    [DllImport(Library)] internal static extern void GDALSetColorEntry(IntPtr table, int index, ref ColorEntry entry);
    [DllImport(Library)] internal static extern int GDALSetRasterColorTable(IntPtr band, IntPtr table);
    [DllImport(Library)] internal static extern IntPtr GDALGetRasterColorTable(IntPtr band);
    [DllImport(Library)] internal static extern int GDALGetColorEntryCount(IntPtr table);
    [DllImport(Library)] internal static extern IntPtr GDALGetColorEntry(IntPtr table, int index);
    [DllImport(Library)]
    internal static extern int GDALSetRasterCategoryNames(IntPtr band,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] names);

    [DllImport(Library)]
    internal static extern IntPtr GDALBuildVRTOptionsNew(
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] arguments, IntPtr binaryOptions);
    [DllImport(Library)] internal static extern void GDALBuildVRTOptionsFree(IntPtr options);
    [DllImport(Library)]
    internal static extern IntPtr GDALBuildVRT([MarshalAs(UnmanagedType.LPUTF8Str)] string destination, int sourceCount, IntPtr sourceDatasets,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] sourceNames, IntPtr options, out int usageError);
}
