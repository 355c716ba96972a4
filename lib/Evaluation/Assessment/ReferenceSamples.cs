using System.Globalization;
using CnnSentinel.Raster;

namespace CnnSentinel.Evaluation.Assessment;

/// <summary>
/// Reference data brought onto a map's grid: each sample's pixel and reference group. Points, polygons (GeoPackage,
/// Shapefile, GeoJSON, CSV with x/y and a .prj) or a label raster, in any coordinate system.
/// </summary>
/// <param name="Path">The reference file.</param>
/// <param name="Kind">Points, polygons or a raster.</param>
/// <param name="Field">The attribute that holds the class (points and polygons); null for a raster, whose values are the classes.</param>
/// <param name="Pixels">Each sample's pixel on the map's grid (row × width + column); two points in one pixel are two samples.</param>
/// <param name="Groups">Each sample's reference group (an index into the mapping's groups).</param>
/// <param name="WithoutLabel">Reference features or pixels on the map whose value the mapping calls no sample (<see cref="ClassGroupMapping.NoSample"/>).</param>
/// <param name="Outside">Points that fall outside the map.</param>
internal sealed record ReferenceSamples(string Path, ReferenceKind Kind, string? Field, int[] Pixels, int[] Groups, long WithoutLabel, int Outside)
{
    /// <summary>
    /// Reads <paramref name="path"/> onto <paramref name="grid"/>, its classes through <paramref name="mapping"/>. The class field is
    /// <paramref name="field"/>, or the only field all of whose values the mapping knows.
    /// </summary>
    /// <exception cref="UserErrorException">No field or several fit, the given field does not exist, or a value is unknown to the mapping; the message names them.</exception>
    /// <exception cref="InvalidDataException">The reference or the map has no coordinate system, or a raster value is not an integer.</exception>
    public static ReferenceSamples Read(string path, RasterGrid grid, string? field, ClassGroupMapping mapping)
    {
        using var layer = VectorLayer.TryOpen(path);
        return layer is not null ? FromLayer(layer, grid, field, mapping) : FromRaster(path, grid, field, mapping);
    }

    static ReferenceSamples FromLayer(VectorLayer layer, RasterGrid grid, string? field, ClassGroupMapping mapping)
    {
        int column = ChooseField(layer, field, mapping);
        var groups = layer.Values.Select(v =>
        {
            if (!mapping.TryGroupOfReference(v[column], out var group))
                throw new UserErrorException($"{layer.Path}: class '{v[column]}' of field {layer.FieldNames[column]} is not in {mapping.Source}; " +
                    "give a mapping file (--mapping) that names it.");
            return group;
        }).ToList();
        var placed = layer.OnGrid(grid);
        var pixels = new List<int>();
        var labels = new List<int>();
        long withoutLabel = 0;
        void Add(int feature, int pixel)
        {
            if (groups[feature] is { } group)
            {
                pixels.Add(pixel);
                labels.Add(group);
            }
            else withoutLabel++;
        }
        foreach (var point in placed.Points) Add(point.Feature, point.Pixel);
        if (placed.PolygonFeatureAt is { } featureAt)
            for (int pixel = 0; pixel < featureAt.Length; pixel++)
                if (featureAt[pixel] >= 0) Add(featureAt[pixel], pixel);
        if (placed.Points.Count + placed.PointsOutside == 0 && placed.PolygonFeatureAt is null)
            throw new InvalidDataException($"{layer.Path}: the layer {layer.Name} holds no points or polygons ({placed.OtherGeometries} other geometries, {placed.WithoutGeometry} features without one).");
        var kind = placed.PolygonFeatureAt is null ? ReferenceKind.Points : ReferenceKind.Polygons;
        return new ReferenceSamples(layer.Path, kind, layer.FieldNames[column], [.. pixels], [.. labels], withoutLabel, placed.PointsOutside);
    }

    static int ChooseField(VectorLayer layer, string? field, ClassGroupMapping mapping)
    {
        var fields = string.Join(", ", layer.FieldNames);
        if (field is not null)
        {
            int at = layer.FieldNames.ToList().FindIndex(f => string.Equals(f, field, StringComparison.OrdinalIgnoreCase));
            return at >= 0 ? at : throw new UserErrorException($"{layer.Path} has no field '{field}' (its fields: {(fields.Length > 0 ? fields : "none")}).");
        }
        var fitting = Enumerable.Range(0, layer.FieldNames.Count).Where(f =>
            layer.Values.All(v => mapping.TryGroupOfReference(v[f], out _)) &&
            layer.Values.Any(v => mapping.TryGroupOfReference(v[f], out var group) && group is not null)).ToList();
        return fitting.Count switch
        {
            1 => fitting[0],
            0 => throw new UserErrorException($"{layer.Path}: no field whose values are all classes of {mapping.Source} (fields: {(fields.Length > 0 ? fields : "none")}); " +
                "give the class field with --field and a mapping file for its values with --mapping."),
            _ => throw new UserErrorException($"{layer.Path}: several fields hold classes of {mapping.Source} " +
                $"({string.Join(", ", fitting.Select(f => layer.FieldNames[f]))}); choose one with --field."),
        };
    }

    static ReferenceSamples FromRaster(string path, RasterGrid grid, string? field, ClassGroupMapping mapping)
    {
        using var raster = GdalRaster.Open(path);
        if (field is not null) throw new UserErrorException($"{path} is a raster: its values are the classes, it has no field '{field}'.");
        var values = raster.ReadOnGrid(1, grid);
        var known = new Dictionary<float, int?>();
        var pixels = new List<int>();
        var labels = new List<int>();
        long withoutLabel = 0;
        for (int pixel = 0; pixel < values.Length; pixel++)
        {
            float value = values[pixel];
            if (float.IsNaN(value)) continue;
            if (!known.TryGetValue(value, out var group))
            {
                if (value != MathF.Round(value)) throw new InvalidDataException($"{path}: value {value.ToString(CultureInfo.InvariantCulture)} is not a class (a label raster holds integers).");
                var text = ((long)value).ToString(CultureInfo.InvariantCulture);
                if (!mapping.TryGroupOfReference(text, out group))
                    throw new UserErrorException($"{path}: class {text} is not in {mapping.Source}; give a mapping file (--mapping, or {System.IO.Path.GetFileNameWithoutExtension(path)}{ClassGroupMapping.SidecarExtension} beside it) that names it.");
                known[value] = group;
            }
            if (group is { } g)
            {
                pixels.Add(pixel);
                labels.Add(g);
            }
            else withoutLabel++;
        }
        return new ReferenceSamples(path, ReferenceKind.Raster, null, [.. pixels], [.. labels], withoutLabel, 0);
    }
}
