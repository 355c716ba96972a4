using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// Marks a class map with a Level-2A product's scene classification (SCL, Sen2Cor): where SCL says cloud, cirrus,
/// cloud shadow, snow or no data, the map says so instead of a land-use class (EuroSAT has no such classes, and a
/// network shown a cloud still answers with one).
/// </summary>
internal static class SceneClassificationMask
{
    /// <summary>
    /// The map value for each SCL value (0 = keep the land-use class): 0 no data and 1 saturated or defective → nodata;
    /// 3 cloud shadows → <see cref="MapMask.CloudShadow"/>; 8 and 9 cloud of medium and high probability →
    /// <see cref="MapMask.Cloud"/>; 10 thin cirrus → <see cref="MapMask.Cirrus"/>; 11 snow or ice → <see cref="MapMask.Snow"/>.
    /// Vegetation, bare soil, water, dark area and unclassified (2, 4–7) keep the class.
    /// </summary>
    public static byte MapValue(int scl) => scl switch
    {
        0 or 1 => SceneClassifier.NoDataClass,
        3 => (byte)MapMask.CloudShadow,
        8 or 9 => (byte)MapMask.Cloud,
        10 => (byte)MapMask.Cirrus,
        11 => (byte)MapMask.Snow,
        _ => 0,
    };

    static readonly byte[] Table = Enumerable.Range(0, 256).Select(MapValue).ToArray();

    /// <summary>The class map [H, W] (bytes) with the masks of the SCL values [H, W] (integers) written over it.</summary>
    public static Tensor Apply(Tensor classes, Tensor sceneClassification)
    {
        using var scope = NewDisposeScope();
        using var table = tensor(Table);
        var values = table.index_select(0, sceneClassification.clamp(0, 255).flatten()).view(sceneClassification.shape);
        return torch.where(values.ne(0), values, classes).MoveToOuterDisposeScope();
    }
}
