namespace CnnSentinel.Raster;

/// <summary>Pixel types, numbered as GDAL's GDALDataType.</summary>
internal enum RasterDataType
{
    /// <summary>Unknown or unsupported.</summary>
    Unknown = 0,
    /// <summary>8-bit unsigned.</summary>
    Byte = 1,
    /// <summary>16-bit unsigned.</summary>
    UInt16 = 2,
    /// <summary>16-bit signed.</summary>
    Int16 = 3,
    /// <summary>32-bit unsigned.</summary>
    UInt32 = 4,
    /// <summary>32-bit signed.</summary>
    Int32 = 5,
    /// <summary>32-bit floating point.</summary>
    Float32 = 6,
    /// <summary>64-bit floating point.</summary>
    Float64 = 7,
}
