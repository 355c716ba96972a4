namespace CnnSentinel.Raster;

/// <summary>Where a raster lies on Earth: GDAL's affine geotransform and the coordinate system as WKT.</summary>
/// <param name="GeoTransform">[x of the top-left corner, pixel width, row rotation, y of the top-left corner, column rotation, pixel height (negative for north-up)].</param>
/// <param name="ProjectionWkt">The coordinate reference system as WKT; empty when the file has none.</param>
internal sealed record GeoReference(IReadOnlyList<double> GeoTransform, string ProjectionWkt)
{
    /// <summary>The same georeference for a window that starts <paramref name="x"/> columns and <paramref name="y"/> rows into the raster.</summary>
    public GeoReference Offset(int x, int y)
    {
        var t = GeoTransform;
        return this with
        {
            GeoTransform = [t[0] + x * t[1] + y * t[2], t[1], t[2], t[3] + x * t[4] + y * t[5], t[4], t[5]],
        };
    }
}
