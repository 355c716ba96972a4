namespace CnnSentinel.Raster;

/// <summary>A raster could not be opened, read or written, or GDAL itself is missing; the message names the file and GDAL's reason.</summary>
public sealed class GdalException(string message) : Exception(message);
