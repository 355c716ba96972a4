namespace CnnSentinel.Raster;

/// <summary>A <see cref="VectorLayer"/>'s features on a <see cref="RasterGrid"/> (<see cref="VectorLayer.OnGrid"/>).</summary>
/// <param name="Points">Each point inside the grid, with its pixel.</param>
/// <param name="PointsOutside">Points that fall outside the grid.</param>
/// <param name="PolygonFeatureAt">Per pixel (row after row), the feature whose polygon holds its centre, −1 for none; null when the layer has no polygons.</param>
/// <param name="OtherGeometries">Features that are neither points nor polygons (lines, collections): not used.</param>
/// <param name="WithoutGeometry">Features without a geometry.</param>
internal sealed record LayerOnGrid(IReadOnlyList<GridPoint> Points, int PointsOutside, int[]? PolygonFeatureAt, int OtherGeometries, int WithoutGeometry);
