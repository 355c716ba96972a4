using System.Runtime.InteropServices;

namespace CnnSentinel.Raster;

/// <summary>
/// The features of a vector file (GeoPackage, Shapefile, GeoJSON, CSV with x/y columns, … anything OGR reads) with one
/// layer: their attributes as text, and their geometries brought onto a <see cref="RasterGrid"/> in any coordinate system.
/// </summary>
/// <remarks>
/// A CSV has no coordinate system of its own: its points are taken from columns named x/y, lon/lat, longitude/latitude or
/// easting/northing (GDAL's CSV open options), and its system from a <c>.prj</c> file of the same name beside it.
/// </remarks>
internal sealed class VectorLayer : IDisposable
{
    /// <summary>Column names GDAL's CSV driver takes a point's x and y from.</summary>
    static readonly string?[] CsvOpenOptions =
        ["X_POSSIBLE_NAMES=x,lon,long,longitude,easting", "Y_POSSIBLE_NAMES=y,lat,latitude,northing", "KEEP_GEOM_COLUMNS=NO", null];

    readonly List<IntPtr> _geometries;
    SpatialReference? _spatialReference;

    VectorLayer(string path, string name, IReadOnlyList<string> fieldNames, IReadOnlyList<IReadOnlyList<string?>> values,
        List<IntPtr> geometries, SpatialReference? spatialReference)
    {
        Path = path;
        Name = name;
        FieldNames = fieldNames;
        Values = values;
        _geometries = geometries;
        _spatialReference = spatialReference;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <summary>The attribute fields, in the file's order.</summary>
    public IReadOnlyList<string> FieldNames { get; }

    /// <summary>Each feature's attributes as text, in <see cref="FieldNames"/> order; null where a field is unset.</summary>
    public IReadOnlyList<IReadOnlyList<string?>> Values { get; }

    /// <summary>
    /// Opens the vector file at <paramref name="path"/>; null when GDAL reads it as something without vector layers (a raster).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file holds several layers.</exception>
    public static VectorLayer? TryOpen(string path)
    {
        Gdal.EnsureLoaded();
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        bool csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        GdalNative.CPLErrorReset();
        var dataset = OgrNative.GDALOpenExWithOptions(path, OgrNative.GDAL_OF_VECTOR, IntPtr.Zero, csv ? CsvOpenOptions : null, IntPtr.Zero);
        if (dataset == IntPtr.Zero) return null;
        try
        {
            int layers = OgrNative.GDALDatasetGetLayerCount(dataset);
            if (layers == 0) return null;
            if (layers > 1)
            {
                var names = Enumerable.Range(0, layers).Select(i => Marshal.PtrToStringUTF8(OgrNative.OGR_L_GetName(OgrNative.GDALDatasetGetLayer(dataset, i))));
                throw new InvalidDataException($"{path} holds {layers} layers ({string.Join(", ", names)}); give a file with one layer of reference data.");
            }
            return Read(path, OgrNative.GDALDatasetGetLayer(dataset, 0));
        }
        finally
        {
            GdalNative.GDALClose(dataset);
        }
    }

    static VectorLayer Read(string path, IntPtr layer)
    {
        var definition = OgrNative.OGR_L_GetLayerDefn(layer);
        var fields = Enumerable.Range(0, OgrNative.OGR_FD_GetFieldCount(definition))
            .Select(f => Marshal.PtrToStringUTF8(OgrNative.OGR_Fld_GetNameRef(OgrNative.OGR_FD_GetFieldDefn(definition, f))) ?? $"field {f + 1}").ToList();
        var values = new List<IReadOnlyList<string?>>();
        var geometries = new List<IntPtr>();
        OgrNative.OGR_L_ResetReading(layer);
        for (IntPtr feature; (feature = OgrNative.OGR_L_GetNextFeature(layer)) != IntPtr.Zero;)
        {
            values.Add(Enumerable.Range(0, fields.Count).Select(f => OgrNative.OGR_F_IsFieldSetAndNotNull(feature, f) != 0
                ? Marshal.PtrToStringUTF8(OgrNative.OGR_F_GetFieldAsString(feature, f)) : null).ToList());
            var geometry = OgrNative.OGR_F_GetGeometryRef(feature);
            geometries.Add(geometry == IntPtr.Zero ? IntPtr.Zero : OgrNative.OGR_G_Clone(geometry));
            OgrNative.OGR_F_Destroy(feature);
        }
        var spatialReference = SpatialReference.CopyOf(OgrNative.OGR_L_GetSpatialRef(layer));
        var prj = System.IO.Path.ChangeExtension(path, ".prj");
        if (spatialReference is null && File.Exists(prj)) spatialReference = SpatialReference.From(prj);
        var name = Marshal.PtrToStringUTF8(OgrNative.OGR_L_GetName(layer)) ?? System.IO.Path.GetFileNameWithoutExtension(path);
        return new VectorLayer(path, name, fields, values, geometries, spatialReference);
    }

    /// <summary>
    /// The features brought onto <paramref name="grid"/>: each point's pixel (multipoints give one per part), and the
    /// polygons rasterised (a pixel belongs to a polygon when its centre lies inside; where polygons overlap, the later one).
    /// </summary>
    /// <exception cref="InvalidDataException">The layer or the grid has no coordinate system (unknown CRS).</exception>
    /// <exception cref="GdalException">GDAL cannot transform between the two systems or rasterise the polygons.</exception>
    public LayerOnGrid OnGrid(RasterGrid grid)
    {
        var source = _spatialReference ?? throw new InvalidDataException(
            $"{Path}: the layer {Name} has no coordinate system (unknown CRS)" +
            (Path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? $"; put its system as WKT in {System.IO.Path.ChangeExtension(Path, ".prj")}." : "."));
        using var target = SpatialReference.From(grid.GeoReference.ProjectionWkt)
            ?? throw new InvalidDataException("the map has no coordinate system (unknown CRS): reference data cannot be placed on it.");
        var transformation = source.TransformationTo(target);
        var points = new List<GridPoint>();
        int outside = 0, lines = 0, empty = 0;
        var polygons = new List<IntPtr>();
        var burns = new List<double>();
        try
        {
            for (int feature = 0; feature < _geometries.Count; feature++)
            {
                var geometry = _geometries[feature];
                if (geometry == IntPtr.Zero) { empty++; continue; }
                var projected = OgrNative.OGR_G_Clone(geometry);
                if (OgrNative.OGR_G_Transform(projected, transformation) != 0)
                {
                    OgrNative.OGR_G_DestroyGeometry(projected);
                    throw new GdalException($"{Path}: feature {feature + 1} cannot be transformed from {source.Name} to {target.Name}: {Gdal.LastError()}");
                }
                switch (OgrNative.OGR_GT_Flatten(OgrNative.OGR_G_GetGeometryType(projected)))
                {
                    case OgrNative.wkbPoint:
                        AddPoint(feature, projected);
                        OgrNative.OGR_G_DestroyGeometry(projected);
                        break;
                    case OgrNative.wkbMultiPoint:
                        for (int part = 0; part < OgrNative.OGR_G_GetGeometryCount(projected); part++)
                            AddPoint(feature, OgrNative.OGR_G_GetGeometryRef(projected, part));
                        OgrNative.OGR_G_DestroyGeometry(projected);
                        break;
                    case OgrNative.wkbPolygon or OgrNative.wkbMultiPolygon:
                        polygons.Add(projected);
                        burns.Add(feature + 1);
                        break;
                    default:
                        lines++;
                        OgrNative.OGR_G_DestroyGeometry(projected);
                        break;
                }
            }
            return new LayerOnGrid(points, outside, polygons.Count > 0 ? Rasterise(grid, polygons, burns) : null, lines, empty);
        }
        finally
        {
            foreach (var polygon in polygons) OgrNative.OGR_G_DestroyGeometry(polygon);
            OgrNative.OCTDestroyCoordinateTransformation(transformation);
        }

        void AddPoint(int feature, IntPtr point)
        {
            if (grid.PixelAt(OgrNative.OGR_G_GetX(point, 0), OgrNative.OGR_G_GetY(point, 0)) is { } pixel) points.Add(new GridPoint(feature, pixel));
            else outside++;
        }
    }

    /// <summary>The feature (0-based) whose polygon holds each pixel's centre, −1 where none does.</summary>
    int[] Rasterise(RasterGrid grid, List<IntPtr> polygons, List<double> burns)
    {
        using var burnt = GdalRaster.InMemory(grid, 1, RasterDataType.Int32);
        GdalNative.CPLErrorReset();
        Gdal.Check(OgrNative.GDALRasterizeGeometries(burnt.Handle, 1, [1], polygons.Count, [.. polygons], IntPtr.Zero, IntPtr.Zero,
            [.. burns], null, IntPtr.Zero, IntPtr.Zero), "rasterising the polygons", Path);
        var values = burnt.Read(0, 0, grid.Width, grid.Height, [1]);
        var features = new int[values.Length];
        for (int i = 0; i < values.Length; i++) features[i] = (int)values[i] - 1;
        return features;
    }

    /// <summary>Frees the geometries.</summary>
    public void Dispose()
    {
        foreach (var geometry in _geometries)
            if (geometry != IntPtr.Zero) OgrNative.OGR_G_DestroyGeometry(geometry);
        _geometries.Clear();
        _spatialReference?.Dispose();
        _spatialReference = null;
    }
}
