using System.Diagnostics;
using CnnSentinel.IO;
using CnnSentinel.Raster;

namespace CnnSentinel.Scenes;

/// <summary>
/// Classifies a scene and writes its map files (<see cref="SceneOutputPaths"/>) as the blocks stream in: the class
/// GeoTIFF, the probability GeoTIFF(s) — Cloud-Optimised, tiled, DEFLATE, geotransform and projection copied from
/// the input — a legend and a PNG preview. Every file is published atomically, so an interrupted run leaves either
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
    /// <exception cref="InvalidDataException">The input is not georeferenced, or the model's class count differs from the legend's.</exception>
    public static SceneClassificationSummary Write(GdalRaster input, int[] bands, SceneClassifier classifier, ClassLegend legend, SceneOutputPaths outputs)
    {
        var watch = Stopwatch.StartNew();
        var georeference = input.GeoReference
            ?? throw new InvalidDataException($"{input.Path}: not georeferenced (no geotransform): a map needs to know where it lies. " +
                "Georeference it first (e.g. gdal_translate -a_srs/-a_ullr) or use a GeoTIFF/JP2 from the product.");
        int width = input.Width, height = input.Height, classes = legend.Classes.Count;
        var names = legend.Classes.Select(c => c.Name).ToArray();
        using var classWriter = GeoTiffWriter.Create(outputs.Classes, width, height, 1, RasterDataType.Byte, georeference,
            new GeoTiffOptions(NoData: SceneClassifier.NoDataClass, ColorTable: legend.ColorTable(), BandDescriptions: ["class"]));
        using var probabilityWriter = GeoTiffWriter.Create(outputs.Probability, width, height, 1, RasterDataType.Float32, georeference,
            new GeoTiffOptions(NoData: float.NaN, BandDescriptions: ["probability of the class"], OverviewResampling: "AVERAGE"));
        using var allWriter = outputs.Probabilities is null ? null : GeoTiffWriter.Create(outputs.Probabilities, width, height, classes,
            RasterDataType.Float32, georeference, new GeoTiffOptions(NoData: float.NaN, BandDescriptions: names, OverviewResampling: "AVERAGE"));

        int scale = Math.Max(1, (int)Math.Ceiling(Math.Max(width, height) / (double)PreviewSize));
        int previewWidth = (width + scale - 1) / scale, previewHeight = (height + scale - 1) / scale;
        var preview = new byte[previewWidth * previewHeight];
        var counts = new long[classes];
        long noData = 0;
        foreach (var block in classifier.Classify(input, bands))
        {
            if (block.Probabilities is { } probabilities && probabilities.Length != classes * block.Width * block.Height)
                throw new InvalidDataException($"{input.Path}: the model gives {probabilities.Length / (block.Width * block.Height)} classes but the legend has {classes}.");
            foreach (var value in block.Classes)
            {
                if (value == SceneClassifier.NoDataClass) noData++;
                else if (value < classes) counts[value]++;
                else throw new InvalidDataException($"{input.Path}: the model predicted class {value} but the legend has {classes} classes.");
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
        AtomicFile.WriteAllText(outputs.LegendCsv, legend.ToCsv(counts));
        AtomicFile.WriteAllText(outputs.LegendMarkdown, legend.ToMarkdown());
        AtomicFile.WriteAllText(outputs.LegendJson, legend.ToJson(counts)); // last: its presence marks a finished scene
        return new SceneClassificationSummary(width, height, counts, noData, watch.Elapsed, outputs);
    }
}
