using System.Text.Json;
using CnnSentinel.Evaluation.Assessment;

namespace CnnSentinel.Bench;

/// <summary>
/// A folder of real scenes with one reference, as <c>real-scenes</c> finds it: every image raster in it is a scene, assessed
/// against the folder's reference.
/// </summary>
/// <remarks>
/// Discovery: rasters (.tif, .tiff, .vrt, .jp2) whose name holds "label" are reference rasters, the other rasters images;
/// vector files (.gpkg, .shp, .geojson, .csv other than mapping files) are references. One vector file is the reference (a label
/// raster beside it is usually its rasterisation); without a vector file, one label raster is. Where that does not decide —
/// several candidates — a manifest <see cref="ManifestName"/> in the folder names the reference and, optionally, the field,
/// mapping and images: <c>{"reference": "lulc_label.tif", "field": null, "mapping": "lulc_label.mapping.csv", "images": ["s2.tif"]}</c>.
/// A reference's mapping is <c>&lt;reference&gt;.mapping.csv</c> beside it when present, else the built-in one.
/// </remarks>
/// <param name="Folder">The folder.</param>
/// <param name="Reference">The reference file.</param>
/// <param name="Field">The class field, or null to let <c>assess</c> choose.</param>
/// <param name="Mapping">A mapping file, or null for the default (beside the reference, else built in).</param>
/// <param name="Images">The scenes, in name order.</param>
sealed record ReferenceSceneFolder(string Folder, string Reference, string? Field, string? Mapping, IReadOnlyList<string> Images)
{
    /// <summary>The optional manifest's file name.</summary>
    public const string ManifestName = "reference.json";

    static readonly string[] RasterExtensions = [".tif", ".tiff", ".vrt", ".jp2"];
    static readonly string[] VectorExtensions = [".gpkg", ".shp", ".geojson", ".csv"];

    /// <summary>The scene folders at or under <paramref name="root"/>, in path order: each folder that holds images and a reference candidate.</summary>
    /// <exception cref="InvalidDataException">A folder's reference is ambiguous and it has no manifest, or its manifest is unreadable.</exception>
    public static IReadOnlyList<ReferenceSceneFolder> FindAll(string root) =>
        new[] { root }.Concat(Directory.GetDirectories(root, "*", SearchOption.AllDirectories)).Select(Path.GetFullPath).Order(StringComparer.Ordinal)
            .Select(Find).OfType<ReferenceSceneFolder>().ToList();

    /// <summary>The scene folder <paramref name="folder"/>, or null when it holds no image or no reference.</summary>
    static ReferenceSceneFolder? Find(string folder)
    {
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
        bool Has(string file, string[] extensions) => extensions.Contains(Path.GetExtension(file).ToLowerInvariant());
        bool IsLabel(string file) => Path.GetFileName(file).Contains("label", StringComparison.OrdinalIgnoreCase);
        var images = files.Where(f => Has(f, RasterExtensions) && !IsLabel(f)).ToList();
        var labels = files.Where(f => Has(f, RasterExtensions) && IsLabel(f)).ToList();
        var vectors = files.Where(f => Has(f, VectorExtensions) && !f.EndsWith(AssessmentOptions.MappingSidecarExtension, StringComparison.OrdinalIgnoreCase)).ToList();
        var manifest = Path.Combine(folder, ManifestName);
        if (File.Exists(manifest)) return FromManifest(folder, manifest, images);
        if (images.Count == 0 || vectors.Count + labels.Count == 0) return null;
        var reference = vectors.Count == 1 ? vectors[0] : vectors.Count == 0 && labels.Count == 1 ? labels[0]
            : throw new InvalidDataException($"{folder}: the reference is not clear ({string.Join(", ", vectors.Concat(labels).Select(Path.GetFileName))}); " +
                $"name it in {ManifestName} (\"reference\": file name).");
        return new ReferenceSceneFolder(folder, reference, null, null, images);
    }

    static ReferenceSceneFolder FromManifest(string folder, string manifest, IReadOnlyList<string> images)
    {
        Manifest? read;
        try { read = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifest), new JsonSerializerOptions { PropertyNameCaseInsensitive = true }); }
        catch (JsonException e) { throw new InvalidDataException($"{manifest}: not a reference manifest ({e.Message}).", e); }
        if (read?.Reference is not { Length: > 0 } reference) throw new InvalidDataException($"{manifest}: no \"reference\".");
        string Inside(string name) => File.Exists(Path.Combine(folder, name)) ? Path.Combine(folder, name) : throw new InvalidDataException($"{manifest}: {name} is not in {folder}.");
        return new ReferenceSceneFolder(folder, Inside(reference), read.Field, read.Mapping is { } mapping ? Inside(mapping) : null,
            read.Images is { Count: > 0 } named ? named.Select(Inside).ToList() : images);
    }

    /// <summary>The manifest's fields.</summary>
    sealed record Manifest(string? Reference, string? Field, string? Mapping, IReadOnlyList<string>? Images);
}
