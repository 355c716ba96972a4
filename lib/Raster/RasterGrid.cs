namespace CnnSentinel.Raster;

/// <summary>A north-up grid of pixels on Earth: where a map lies, onto which reference data is brought.</summary>
/// <param name="GeoReference">The grid's geotransform (no rotation) and coordinate system.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
internal sealed record RasterGrid(GeoReference GeoReference, int Width, int Height)
{
    /// <summary>The grid of <paramref name="raster"/>.</summary>
    /// <exception cref="InvalidDataException">The raster has no georeference, or a rotated one.</exception>
    public static RasterGrid Of(GdalRaster raster)
    {
        var georeference = raster.GeoReference ?? throw new InvalidDataException($"{raster.Path} has no georeference: it does not say where it lies.");
        var t = georeference.GeoTransform;
        if (t[2] != 0 || t[4] != 0) throw new InvalidDataException($"{raster.Path} has a rotated grid (geotransform {string.Join(", ", t)}); only north-up grids are read.");
        return new RasterGrid(georeference, raster.Width, raster.Height);
    }

    /// <summary>Pixels in the grid.</summary>
    public int Pixels => Width * Height;

    /// <summary>The area of one pixel in squared units of the coordinate system.</summary>
    public double PixelArea => Math.Abs(GeoReference.GeoTransform[1] * GeoReference.GeoTransform[5]);

    /// <summary>The index (row × width + column) of the pixel holding the point (<paramref name="x"/>, <paramref name="y"/>) of the grid's system; null outside the grid.</summary>
    public int? PixelAt(double x, double y)
    {
        var t = GeoReference.GeoTransform;
        double column = Math.Floor((x - t[0]) / t[1]), row = Math.Floor((y - t[3]) / t[5]);
        if (!(column >= 0 && column < Width && row >= 0 && row < Height)) return null;
        return (int)row * Width + (int)column;
    }
}
