using CnnSentinel.Raster;

namespace CnnSentinel.Datasets;

/// <summary>
/// Reads a EuroSAT multispectral GeoTIFF through GDAL: checks that it has <see cref="SentinelBands.Count"/> bands of
/// unsigned 16-bit integers at the expected size, and returns the bands in file order (B01 … B12, B8A).
/// </summary>
/// <remarks>
/// GDAL is the project's one raster library (scenes, maps, patches). Each patch is opened with the GeoTIFF driver
/// alone and without GDAL's look for side-car files (<see cref="GdalRaster.OpenAlone"/>). Measured side by side with
/// the LibTiff.NET reader this replaced, alternating, on the development MS patches (bench <c>loader</c>): the same
/// pixels and georeference; decoding somewhat slower (GDAL opens a dataset per file), the loader's MS rate still many
/// times the small CNN's training rate (the bar is five times); the georeference a few times slower (GDAL builds
/// the coordinate system to name its EPSG code), which only the one-off spatial split pays.
/// </remarks>
internal static class GeoTiffPatchReader
{
    const string Driver = "GTiff";

    /// <summary>
    /// Reads <paramref name="path"/> as <paramref name="bands"/> planes of <paramref name="height"/> × <paramref name="width"/> values.
    /// </summary>
    /// <exception cref="InvalidPatchException">Not a TIFF, damaged, or of another band count, sample type or size.</exception>
    public static ushort[] Read(string path, int height = EuroSatDataset.PatchSize, int width = EuroSatDataset.PatchSize, int bands = SentinelBands.Count)
    {
        using var raster = Open(path);
        if (raster.BandCount != bands)
            throw new InvalidPatchException(path, $"has {raster.BandCount} bands, expected {bands} (EuroSAT MS: {string.Join(", ", SentinelBands.Names)})");
        if (raster.DataType(1) is var type && type != RasterDataType.UInt16)
            throw new InvalidPatchException(path, $"stores {type} samples, expected 16-bit unsigned integers");
        if (raster.Width != width || raster.Height != height)
            throw new InvalidPatchException(path, $"is {raster.Width}×{raster.Height} pixels, expected {width}×{height}");
        try
        {
            return raster.ReadUInt16(0, 0, width, height);
        }
        catch (GdalException e)
        {
            throw new InvalidPatchException(path, $"could not be read; the file is damaged or truncated ({Gdal.LastError()})", e);
        }
    }

    /// <summary>The patch's georeferencing.</summary>
    /// <exception cref="InvalidPatchException">The file has no ModelTiepoint/ModelPixelScale tags.</exception>
    public static PatchGeoreference ReadGeoreference(string path)
    {
        using var raster = Open(path);
        // GDAL's geotransform: [x of the upper-left corner, pixel width, 0, y of that corner, 0, −pixel height] for north-up patches.
        var transform = raster.GeoReference?.GeoTransform
            ?? throw new InvalidPatchException(path, "has no GeoTIFF georeferencing (ModelTiepoint and ModelPixelScale tags)");
        return new PatchGeoreference(raster.Epsg, transform[0], transform[3], transform[1], -transform[5], raster.Width, raster.Height);
    }

    static GdalRaster Open(string path)
    {
        if (!File.Exists(path)) throw new InvalidPatchException(path, "does not exist");
        try
        {
            return GdalRaster.OpenAlone(path, Driver);
        }
        catch (GdalException e)
        {
            throw new InvalidPatchException(path, $"is not a readable TIFF ({Gdal.LastError()})", e);
        }
    }
}
