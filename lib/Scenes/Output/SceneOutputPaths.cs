using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>The files a classified scene produces, named after the input: <c>&lt;stem&gt;_classes.tif</c> and so on.</summary>
/// <param name="Classes">Class values (Byte GeoTIFF, colour table, category names, nodata 255).</param>
/// <param name="ClassesStyle">The class map's QGIS style (<c>.qml</c>, named like it so that QGIS applies it on opening).</param>
/// <param name="Probability">Largest class probability (Float32 GeoTIFF, nodata NaN).</param>
/// <param name="Probabilities">Every class's probability, one band per class; null when not asked for.</param>
/// <param name="LegendJson">Legend and per-value pixel counts (JSON); written last, so its presence means the scene is done.</param>
/// <param name="LegendCsv">Legend as CSV.</param>
/// <param name="LegendMarkdown">Legend as Markdown, with how to read the files.</param>
/// <param name="Preview">Colourised class map with legend, at most about 1024 pixels wide (PNG).</param>
/// <param name="Run">What made the outputs (<see cref="SceneRunRecord"/>), published by <c>classify</c> with them, last.</param>
public sealed record SceneOutputPaths(string Classes, string ClassesStyle, string Probability, string? Probabilities, string LegendJson,
    string LegendCsv, string LegendMarkdown, string Preview, string Run)
{
    /// <summary>The outputs for <paramref name="input"/> in <paramref name="folder"/>.</summary>
    public static SceneOutputPaths For(string folder, string input, bool allProbabilities)
    {
        var stem = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(input));
        string P(string suffix) => Path.Combine(folder, stem + suffix);
        return new SceneOutputPaths(P("_classes.tif"), P("_classes.qml"), P("_probability.tif"), allProbabilities ? P("_probabilities.tif") : null,
            P("_legend.json"), P("_legend.csv"), P("_legend.md"), P("_preview.png"), P("_run.json"));
    }

    /// <summary>
    /// The class map's auxiliary file (<c>.aux.xml</c>, <see cref="GeoTiffWriter.AuxiliaryPath"/>): the names of its
    /// values, which GDAL's GeoTIFF driver keeps beside the TIFF; keep it with the map.
    /// </summary>
    public string ClassesAuxiliary => GeoTiffWriter.AuxiliaryPath(Classes);

    /// <summary>
    /// The class map's attribute table (<c>.tif.vat.dbf</c>, <see cref="ClassLegend.ToValueAttributeTable"/>): value, pixels,
    /// class name and colour per class and mask, which ArcGIS and QGIS (3.30 on) read beside the TIFF. GeoTIFF has no
    /// place for class names inside the file (GDAL keeps them in the <see cref="ClassesAuxiliary"/> file): the colour
    /// table travels inside the TIFF, the names in these files beside it.
    /// </summary>
    public string ClassesAttributeTable => Classes + ".vat.dbf";

    /// <summary>
    /// The every-class probability file that a run asking for it (<c>--probabilities</c>) writes here, when this set does not: an
    /// old one would describe another map, so it goes when the set is published. Null when the set has it, or was not named by <see cref="For"/>.
    /// </summary>
    internal string? UnwantedProbabilities =>
        Probabilities is null && Probability.EndsWith("_probability.tif", StringComparison.Ordinal) ? Probability[..^"_probability.tif".Length] + "_probabilities.tif" : null;

    /// <summary>Every map file (not <see cref="Run"/>).</summary>
    public IEnumerable<string> All => new[] { Classes, ClassesAuxiliary, ClassesAttributeTable, ClassesStyle, Probability, Probabilities, LegendJson, LegendCsv, LegendMarkdown, Preview }.OfType<string>();

    /// <summary>True when every output exists: each is written atomically, so the scene is finished.</summary>
    public bool AllExist => All.All(File.Exists);
}
