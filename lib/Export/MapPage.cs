using CnnSentinel.IO;
using CnnSentinel.Models;

namespace CnnSentinel.Export;

/// <summary>
/// Writes the map web page (the repository's <c>web/</c>: index.html, its scripts and the vendored libraries) with a
/// model exported next to it as <c>model.onnx</c>, which the page loads at start: a folder that any static file
/// server (or a notebook's output) can serve, and that works without the network.
/// </summary>
public static class MapPage
{
    static readonly string[] PageFiles = ["index.html", "app.js", "map-grid.js", "scene-reading.js", "model-workers.js", "model-worker.js"];

    /// <summary>
    /// The page files in <paramref name="source"/> (a checkout's <c>web/</c>) and the model, copied or written into
    /// <paramref name="destination"/>; the model's layer weights stored as <paramref name="weights"/> says (int8 by default:
    /// the file a browser downloads is about a quarter the size), computing in 8 bits where <paramref name="calibration"/>
    /// windows are given (<see cref="OnnxExport.ToBytes"/>: the page maps about twice as fast).
    /// </summary>
    /// <returns>The path of the page (index.html) in <paramref name="destination"/>.</returns>
    /// <exception cref="FileNotFoundException">The page or its vendored libraries are missing; the message says how to get them.</exception>
    public static string Write(string source, string destination, ImageClassifier model, ExportMetadata metadata, OnnxWeights weights = OnnxWeights.Int8, TorchSharp.torch.Tensor? calibration = null)
    {
        var vendor = Path.Combine(source, "vendor");
        if (!Directory.Exists(vendor) || Directory.GetFiles(vendor).Length == 0)
            throw new FileNotFoundException($"{vendor} holds no libraries: run 'scripts/setup.sh web' once to vendor them from npm.", vendor);
        foreach (var file in PageFiles.Select(f => Path.Combine(source, f)))
            if (!File.Exists(file)) throw new FileNotFoundException($"The map page file {file} is missing.", file);
        Directory.CreateDirectory(Path.Combine(destination, "vendor"));
        foreach (var file in PageFiles.Select(f => Path.Combine(source, f)).Concat(Directory.GetFiles(vendor)))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            AtomicFile.WriteAllBytes(target, File.ReadAllBytes(file));
        }
        OnnxExport.Save(model, Path.Combine(destination, "model.onnx"), metadata, weights, calibration);
        return Path.Combine(destination, "index.html");
    }
}
