using System.Diagnostics;
using CnnSentinel.IO;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// Classifies a scene and writes its map files (<see cref="SceneOutputPaths"/>) as the blocks stream in: the class
/// GeoTIFF with its colour table and category names, the probability GeoTIFF(s) — Cloud-Optimised, tiled, DEFLATE,
/// geotransform and projection copied from the input — a QGIS style, a legend and a PNG preview. Every file is published atomically, so an interrupted run leaves either
/// a finished file or none.
/// </summary>
public static class SceneMapWriter
{
    /// <summary>Longest side of the preview, in pixels.</summary>
    public const int PreviewSize = 1024;

    /// <summary>Classifies <paramref name="input"/> with <paramref name="classifier"/> into <paramref name="outputs"/>.</summary>
    /// <param name="input">The scene; it must be georeferenced.</param>
    /// <param name="bands">1-based bands in the model's order (see <see cref="SceneInput"/>).</param>
    /// <param name="classifier">The classifier.</param>
    /// <param name="legend">Class names and colours; as many classes as the model has outputs.</param>
    /// <param name="outputs">Where the files go.</param>
    /// <exception cref="InvalidDataException">The input is not georeferenced, the model's class count differs from the legend's, or
    /// the classifier gives a value that is neither a class, a <see cref="MapMask"/> nor nodata.</exception>
    public static SceneClassificationSummary Write(GdalRaster input, int[] bands, SceneClassifier classifier, ClassLegend legend, SceneOutputPaths outputs) =>
        Write(input, classifier.Classify(input, bands), legend, outputs);

    /// <summary>
    /// Writes the map of <paramref name="input"/> from <paramref name="blocks"/> as they come: a classification, maybe with
    /// masks set by a later step. Nothing is published until every block has been written.
    /// </summary>
    /// <param name="input">The scene; it must be georeferenced.</param>
    /// <param name="blocks">The scene's blocks, covering it once (e.g. <see cref="SceneClassifier.Classify"/>).</param>
    /// <param name="legend">Class names and colours; as many classes as the blocks' probabilities.</param>
    /// <param name="outputs">Where the files go.</param>
    /// <exception cref="InvalidDataException">The input is not georeferenced, the blocks' class count differs from the legend's, or
    /// a block has a value that is neither a class, a <see cref="MapMask"/> nor nodata.</exception>
    public static SceneClassificationSummary Write(GdalRaster input, IEnumerable<ClassifiedBlock> blocks, ClassLegend legend, SceneOutputPaths outputs)
    {
        var watch = Stopwatch.StartNew();
        var georeference = input.GeoReference
            ?? throw new InvalidDataException($"{input.Path}: not georeferenced (no geotransform): a map needs to know where it lies. " +
                "Georeference it first (e.g. gdal_translate -a_srs/-a_ullr) or use a GeoTIFF/JP2 from the product.");
        int width = input.Width, height = input.Height, classes = legend.Classes.Count;
        var names = legend.Classes.Select(c => c.Name).ToArray();
        using var classWriter = GeoTiffWriter.Create(outputs.Classes, width, height, 1, RasterDataType.Byte, georeference,
            new GeoTiffOptions(NoData: SceneClassifier.NoDataClass, ColorTable: legend.ColorTable(), CategoryNames: legend.CategoryNames(), BandDescriptions: ["class"]));
        using var probabilityWriter = GeoTiffWriter.Create(outputs.Probability, width, height, 1, RasterDataType.Float32, georeference,
            new GeoTiffOptions(NoData: float.NaN, BandDescriptions: ["probability of the class"], OverviewResampling: "AVERAGE"));
        using var allWriter = outputs.Probabilities is null ? null : GeoTiffWriter.Create(outputs.Probabilities, width, height, classes,
            RasterDataType.Float32, georeference, new GeoTiffOptions(NoData: float.NaN, BandDescriptions: names, OverviewResampling: "AVERAGE"));

        int scale = Math.Max(1, (int)Math.Ceiling(Math.Max(width, height) / (double)PreviewSize));
        int previewWidth = (width + scale - 1) / scale, previewHeight = (height + scale - 1) / scale;
        var preview = new byte[previewWidth * previewHeight];
        var counts = new long[256]; // per value: classes, masks, nodata
        var known = new bool[256];
        foreach (var entry in legend.Entries) known[entry.Value] = true;
        known[SceneClassifier.NoDataClass] = true;
        foreach (var block in blocks)
        {
            if (block.Probabilities is { } probabilities && probabilities.Length != classes * block.Width * block.Height)
                throw new InvalidDataException($"{input.Path}: the model gives {probabilities.Length / (block.Width * block.Height)} classes but the legend has {classes}.");
            foreach (var value in block.Classes)
            {
                if (!known[value])
                    throw new InvalidDataException($"{input.Path}: the map has value {value}, which is none of the legend's {classes} classes, " +
                        $"masks ({string.Join(", ", ClassLegend.Masks.Select(m => $"{m.Value} {m.Name}"))}) or nodata ({SceneClassifier.NoDataClass}).");
                counts[value]++;
            }
            classWriter.Write(1, block.X, block.Y, block.Width, block.Height, block.Classes);
            probabilityWriter.Write(1, block.X, block.Y, block.Width, block.Height, block.Confidence);
            if (allWriter is not null)
                for (int k = 0; k < classes; k++)
                    allWriter.Write(k + 1, block.X, block.Y, block.Width, block.Height,
                        block.Probabilities!.AsSpan(k * block.Width * block.Height, block.Width * block.Height).ToArray());
            for (int py = (block.Y + scale - 1) / scale; py * scale < block.Y + block.Height; py++)
                for (int px = (block.X + scale - 1) / scale; px * scale < block.X + block.Width; px++)
                    preview[py * previewWidth + px] = block.Classes[(py * scale - block.Y) * block.Width + px * scale - block.X];
        }
        classWriter.Commit();
        probabilityWriter.Commit();
        allWriter?.Commit();
        using (var map = ClassMapImage.Colorize(preview, previewWidth, previewHeight, legend))
        using (var figure = ClassMapImage.Figure([(Path.GetFileName(outputs.Classes), map)], legend, Math.Min(previewHeight, 800)))
            AtomicFile.WriteAllBytes(outputs.Preview, ClassMapImage.ToPng(figure));
        var valueCounts = counts[..ClassLegend.ValueCount];
        AtomicFile.WriteAllText(outputs.ClassesStyle, legend.ToQml());
        AtomicFile.WriteAllText(outputs.LegendCsv, legend.ToCsv(valueCounts));
        AtomicFile.WriteAllText(outputs.LegendMarkdown, legend.ToMarkdown(valueCounts));
        AtomicFile.WriteAllText(outputs.LegendJson, legend.ToJson(valueCounts)); // last: its presence marks a finished scene
        return new SceneClassificationSummary(width, height, valueCounts, counts[SceneClassifier.NoDataClass], watch.Elapsed, outputs);
    }
}
