namespace CnnSentinel.Datasets;

/// <summary>
/// Where a GeoTIFF patch lies: its coordinate reference system and the map coordinates of its
/// upper-left corner, from the GeoTIFF tags ModelTiepoint, ModelPixelScale and GeoKeyDirectory.
/// </summary>
/// <param name="Epsg">EPSG code of the CRS (e.g. 32632 for WGS 84 / UTM zone 32N); 0 when the file names none.</param>
/// <param name="OriginX">Map x (easting, metres for UTM) of the upper-left corner of the upper-left pixel.</param>
/// <param name="OriginY">Map y (northing) of that corner.</param>
/// <param name="PixelWidth">Pixel size along x in map units (positive).</param>
/// <param name="PixelHeight">Pixel size along y in map units (positive; y decreases downwards).</param>
/// <param name="Width">Patch width in pixels.</param>
/// <param name="Height">Patch height in pixels.</param>
internal sealed record PatchGeoreference(int Epsg, double OriginX, double OriginY, double PixelWidth, double PixelHeight, int Width, int Height)
{
    /// <summary>Map x of the patch centre.</summary>
    public double CentreX => OriginX + PixelWidth * Width / 2;

    /// <summary>Map y of the patch centre.</summary>
    public double CentreY => OriginY - PixelHeight * Height / 2;

    /// <summary>Map x of the right edge.</summary>
    public double Right => OriginX + PixelWidth * Width;

    /// <summary>Map y of the bottom edge.</summary>
    public double Bottom => OriginY - PixelHeight * Height;

    /// <summary>
    /// The shortest distance between this patch's footprint and <paramref name="other"/>'s, in map units:
    /// 0 when they touch or overlap, infinity when they are in different CRS (not comparable).
    /// </summary>
    public double DistanceTo(PatchGeoreference other)
    {
        if (Epsg != other.Epsg) return double.PositiveInfinity;
        double dx = Math.Max(0, Math.Max(other.OriginX - Right, OriginX - other.Right));
        double dy = Math.Max(0, Math.Max(other.Bottom - OriginY, Bottom - other.OriginY));
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
