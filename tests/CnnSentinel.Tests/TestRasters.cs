using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;
using TorchSharp;

namespace CnnSentinel.Tests;

/// <summary>Rasters the Raster and Scenes tests share: the bundled scene, crops of it, generated GeoTIFFs.</summary>
static class TestRasters
{
    /// <summary>The bundled Sentinel-2 true-colour crop (data/scene).</summary>
    public static string Scene { get; } = Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "data", "scene"), "*_TCI_10m.tif").Single();

    /// <summary>Writes the window (x, y, width, height) of the bundled scene as a georeferenced GeoTIFF in <paramref name="folder"/>.</summary>
    /// <summary>The original's RGB normalisation, as a model's preprocessing for the scene classifier.</summary>
    public static Preprocessing RgbPreprocessing { get; } = new(ChannelNormalization.OriginalRgb);

    /// <summary>A scene CNN for 3 bands with seeded random weights (the tests check geometry and files, not accuracy).</summary>
    public static WindowModel SceneModel(bool samePadding = false)
    {
        torch.manual_seed(42);
        return WindowModel.For(new SceneCnn(classes: 10, bands: 3, samePadding));
    }

    /// <summary>Seeded random SceneCnn weights for 3 bands, as <c>scene_cnn.safetensors</c> in <paramref name="folder"/>: a model for classify.</summary>
    public static string SceneCnnWeights(string folder, int seed)
    {
        var path = Path.Combine(folder, "scene_cnn.safetensors");
        TorchSharp.torch.manual_seed(seed);
        CnnSentinel.Models.StateDictFile.Save(new CnnSentinel.Models.SceneCnn(classes: 10, bands: 3), path);
        return path;
    }

    public static string SceneCrop(string folder, int x, int y, int width, int height)
    {
        using var scene = GdalRaster.Open(Scene);
        var path = Path.Combine(folder, $"crop_{x}_{y}_{width}x{height}.tif");
        GeoTiffWriter.CopyWindow(scene, x, y, width, height, path);
        return path;
    }

    /// <summary>Writes band-sequential <paramref name="values"/> as a plain (not cloud-optimised) GeoTIFF.</summary>
    public static void Write(string path, int width, int height, int bands, float[] values, GeoReference? georeference,
        RasterDataType type = RasterDataType.Float32, double? noData = null)
    {
        using var writer = GeoTiffWriter.Create(path, width, height, bands, type, georeference, new GeoTiffOptions(NoData: noData, CloudOptimized: false));
        for (int b = 0; b < bands; b++)
            writer.Write(b + 1, 0, 0, width, height, values.AsSpan(b * width * height, width * height).ToArray());
        writer.Commit();
    }

    /// <summary>A UTM georeference with 10 m pixels (EPSG:32633 as WKT from the bundled scene).</summary>
    public static GeoReference Utm10m(double x = 500000, double y = 5600000)
    {
        using var scene = GdalRaster.Open(Scene);
        return new GeoReference([x, 10, 0, y, 0, -10], scene.GeoReference!.ProjectionWkt);
    }
}
