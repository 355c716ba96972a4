using System.Runtime.InteropServices;

namespace CnnSentinel.Raster;

/// <summary>
/// A coordinate reference system (an OSR handle), always with x = easting or longitude and y = northing or latitude
/// (OAMS_TRADITIONAL_GIS_ORDER): GDAL 3 otherwise takes EPSG:4326 as latitude first, and points would land swapped.
/// </summary>
internal sealed class SpatialReference : IDisposable
{
    IntPtr _handle;

    SpatialReference(IntPtr handle)
    {
        _handle = handle;
        OgrNative.OSRSetAxisMappingStrategy(handle, OgrNative.OAMS_TRADITIONAL_GIS_ORDER);
    }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(SpatialReference));

    /// <summary>The system's name, e.g. "WGS 84 / UTM zone 33N".</summary>
    public string Name => Marshal.PtrToStringUTF8(OgrNative.OSRGetName(Handle)) ?? "unnamed";

    /// <summary>Metres per unit of a projected system's coordinates; null for a geographic one.</summary>
    public double? MetresPerUnit => OgrNative.OSRIsProjected(Handle) != 0 ? OgrNative.OSRGetLinearUnits(Handle, IntPtr.Zero) : null;

    /// <summary>
    /// The system described by <paramref name="definition"/>: WKT, "EPSG:n", PROJ text, or the path of a <c>.prj</c> file
    /// (what OSRSetFromUserInput accepts); null when it is empty or GDAL cannot read it.
    /// </summary>
    public static SpatialReference? From(string definition)
    {
        if (string.IsNullOrWhiteSpace(definition)) return null;
        Gdal.EnsureLoaded();
        var handle = OgrNative.OSRNewSpatialReference(null);
        if (OgrNative.OSRSetFromUserInput(handle, definition) != 0)
        {
            OgrNative.OSRDestroySpatialReference(handle);
            return null;
        }
        return new SpatialReference(handle);
    }

    /// <summary>A copy of the system GDAL owns at <paramref name="handle"/> (a layer's), or null when there is none.</summary>
    internal static SpatialReference? CopyOf(IntPtr handle) => handle == IntPtr.Zero ? null : new SpatialReference(OgrNative.OSRClone(handle));

    /// <summary>A transformation from this system to <paramref name="target"/>; destroy it with OCTDestroyCoordinateTransformation.</summary>
    /// <exception cref="GdalException">GDAL knows no way between the two; the message names both.</exception>
    internal IntPtr TransformationTo(SpatialReference target)
    {
        Gdal.EnsureLoaded();
        GdalNative.CPLErrorReset();
        var transformation = OgrNative.OCTNewCoordinateTransformation(Handle, target.Handle);
        return transformation != IntPtr.Zero ? transformation
            : throw new GdalException($"no transformation from {Name} to {target.Name}: {Gdal.LastError()}");
    }

    /// <summary>Frees the handle.</summary>
    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        OgrNative.OSRDestroySpatialReference(_handle);
        _handle = IntPtr.Zero;
    }
}
