namespace CnnSentinel.Raster;

/// <summary>How <see cref="GeoTiffWriter"/> lays out and annotates a GeoTIFF.</summary>
/// <param name="NoData">Nodata value of every band (NaN is allowed for floating types); none when null.</param>
/// <param name="ColorTable">Colour table of band 1 (Byte rasters only): entry i is the colour of value i.</param>
/// <param name="CategoryNames">Names of band 1's values (name i for value i, e.g. class names), which gdalinfo lists and QGIS
/// labels the colour table's entries with; GDAL's GeoTIFF driver keeps them in the auxiliary file beside the TIFF (<see cref="GeoTiffWriter.AuxiliaryPath"/>),
/// which <see cref="GeoTiffWriter.Commit"/> publishes with it. None when null.</param>
/// <param name="BandDescriptions">A name per band (shown by GIS software, e.g. class names); none when null.</param>
/// <param name="CloudOptimized">Write a Cloud-Optimised GeoTIFF (GDAL's COG driver: tiles, overviews, header first)
/// instead of a plain tiled GeoTIFF.</param>
/// <param name="BlockSize">Tile width and height in pixels.</param>
/// <param name="Compression">TIFF compression ("DEFLATE", "LZW", "ZSTD", "NONE").</param>
/// <param name="OverviewResampling">COG overview resampling: "NEAREST" for classes, "AVERAGE" for continuous values.</param>
internal sealed record GeoTiffOptions(
    double? NoData = null,
    IReadOnlyList<RgbColor>? ColorTable = null,
    IReadOnlyList<string>? CategoryNames = null,
    IReadOnlyList<string>? BandDescriptions = null,
    bool CloudOptimized = true,
    int BlockSize = 256,
    string Compression = "DEFLATE",
    string OverviewResampling = "NEAREST");
