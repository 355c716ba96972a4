namespace CnnSentinel.Scenes;

/// <summary>The Sentinel-2 true-colour crop that ships with the project (data/scene, see its README).</summary>
public static class BundledScene
{
    /// <summary>Its path: <c>data/scene/*_TCI_10m.tif</c> under <see cref="ProjectPaths.Root"/>.</summary>
    public static string Path
    {
        get
        {
            var folder = System.IO.Path.Combine(ProjectPaths.Root, "data", "scene");
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*_TCI_10m.tif") : [];
            return files.Length == 1 ? files[0] : throw new FileNotFoundException($"The bundled scene (data/scene/*_TCI_10m.tif) was not found under {ProjectPaths.Root}.");
        }
    }
}
