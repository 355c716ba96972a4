using System.Runtime.InteropServices;

namespace CnnSentinel.Raster;

/// <summary>
/// The few functions of GDAL's vector (OGR), coordinate-system (OSR) and algorithm (gdal_alg.h, gdalwarper.h) C API that
/// accuracy assessment needs, bound by P/Invoke like <see cref="GdalNative"/>.
/// </summary>
/// <remarks>
/// Why: reference data for a map comes as points and polygons (GeoPackage, Shapefile, GeoJSON, CSV) or as a label raster,
/// in any coordinate system; the same system libgdal that reads the scenes reads, reprojects and rasterises them, so no
/// other library is needed. Kept thin as <see cref="GdalNative"/> is: signatures only; <see cref="VectorLayer"/> and
/// <see cref="GdalRaster.ReadOnGrid"/> wrap them. Handles are opaque pointers; strings GDAL returns are owned by GDAL
/// (read with <see cref="Marshal.PtrToStringUTF8(IntPtr)"/>, never freed).
/// </remarks>
internal static class OgrNative
{
    internal const uint GDAL_OF_VECTOR = 0x04;

    /// <summary>OSR axis mapping: x = easting or longitude, y = northing or latitude, whatever the CRS's official order.</summary>
    internal const int OAMS_TRADITIONAL_GIS_ORDER = 0;

    /// <summary>GDALResampleAlg: nearest neighbour.</summary>
    internal const int GRA_NearestNeighbour = 0;

    /// <summary>OGRwkbGeometryType values, flattened (no Z or M).</summary>
    internal const int wkbPoint = 1, wkbLineString = 2, wkbPolygon = 3, wkbMultiPoint = 4, wkbMultiLineString = 5, wkbMultiPolygon = 6;

    [DllImport(GdalNative.Library, EntryPoint = "GDALOpenEx")]
    internal static extern IntPtr GDALOpenExWithOptions([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint flags, IntPtr allowedDrivers,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[]? openOptions, IntPtr siblingFiles);
    [DllImport(GdalNative.Library)] internal static extern int GDALDatasetGetLayerCount(IntPtr dataset);
    [DllImport(GdalNative.Library)] internal static extern IntPtr GDALDatasetGetLayer(IntPtr dataset, int index);

    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_L_GetName(IntPtr layer);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_L_GetSpatialRef(IntPtr layer);
    [DllImport(GdalNative.Library)] internal static extern void OGR_L_ResetReading(IntPtr layer);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_L_GetNextFeature(IntPtr layer);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_L_GetLayerDefn(IntPtr layer);
    [DllImport(GdalNative.Library)] internal static extern int OGR_FD_GetFieldCount(IntPtr definition);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_FD_GetFieldDefn(IntPtr definition, int field);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_Fld_GetNameRef(IntPtr fieldDefinition);

    [DllImport(GdalNative.Library)] internal static extern int OGR_F_IsFieldSetAndNotNull(IntPtr feature, int field);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_F_GetFieldAsString(IntPtr feature, int field);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_F_GetGeometryRef(IntPtr feature);
    [DllImport(GdalNative.Library)] internal static extern void OGR_F_Destroy(IntPtr feature);

    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_G_Clone(IntPtr geometry);
    [DllImport(GdalNative.Library)] internal static extern void OGR_G_DestroyGeometry(IntPtr geometry);
    [DllImport(GdalNative.Library)] internal static extern int OGR_G_Transform(IntPtr geometry, IntPtr transformation);
    [DllImport(GdalNative.Library)] internal static extern int OGR_G_GetGeometryType(IntPtr geometry);
    [DllImport(GdalNative.Library)] internal static extern int OGR_GT_Flatten(int type);
    [DllImport(GdalNative.Library)] internal static extern int OGR_G_GetGeometryCount(IntPtr geometry);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OGR_G_GetGeometryRef(IntPtr geometry, int index);
    [DllImport(GdalNative.Library)] internal static extern double OGR_G_GetX(IntPtr geometry, int point);
    [DllImport(GdalNative.Library)] internal static extern double OGR_G_GetY(IntPtr geometry, int point);

    [DllImport(GdalNative.Library)] internal static extern IntPtr OSRNewSpatialReference([MarshalAs(UnmanagedType.LPUTF8Str)] string? wkt);
    [DllImport(GdalNative.Library)] internal static extern int OSRSetFromUserInput(IntPtr spatialReference, [MarshalAs(UnmanagedType.LPUTF8Str)] string definition);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OSRClone(IntPtr spatialReference);
    [DllImport(GdalNative.Library)] internal static extern void OSRDestroySpatialReference(IntPtr spatialReference);
    [DllImport(GdalNative.Library)] internal static extern void OSRSetAxisMappingStrategy(IntPtr spatialReference, int strategy);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OSRGetName(IntPtr spatialReference);
    [DllImport(GdalNative.Library)] internal static extern double OSRGetLinearUnits(IntPtr spatialReference, IntPtr name);
    [DllImport(GdalNative.Library)] internal static extern int OSRIsProjected(IntPtr spatialReference);
    [DllImport(GdalNative.Library)] internal static extern IntPtr OCTNewCoordinateTransformation(IntPtr source, IntPtr target);
    [DllImport(GdalNative.Library)] internal static extern void OCTDestroyCoordinateTransformation(IntPtr transformation);

    [DllImport(GdalNative.Library)] internal static extern int GDALFillRaster(IntPtr band, double real, double imaginary);
    [DllImport(GdalNative.Library)]
    internal static extern int GDALRasterizeGeometries(IntPtr dataset, int bandCount, int[] bands, int geometryCount, IntPtr[] geometries,
        IntPtr transformer, IntPtr transformerArgument, double[] burnValues,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[]? options, IntPtr progress, IntPtr progressData);
    [DllImport(GdalNative.Library)]
    internal static extern int GDALReprojectImage(IntPtr source, IntPtr sourceWkt, IntPtr target, IntPtr targetWkt, int resampling,
        double memoryLimit, double maxError, IntPtr progress, IntPtr progressData, IntPtr warpOptions);
}
