using CnnSentinel.Datasets;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A small CNN for classifying whole scenes densely: three unpadded 3×3 convolutions (32, 64, 128) with
/// ReLU and two 2×2 max-poolings, then global average pooling and a linear layer.
/// </summary>
/// <remarks>
/// Built for scene maps (<c>lib/Scenes</c>). Unpadded convolutions make a window's feature map an exact
/// crop of the scene's feature map, so classifying the scene in one fully convolutional pass gives what
/// classifying every 64×64 window on its own gives (with zero padding, a lone window sees zeros where the
/// scene has neighbours). Its total downsampling is 4, so a stride-1 map needs only 16 shifted passes.
/// </remarks>
public sealed class SceneCnn : PooledCnn
{
    /// <summary>How much the features shrink the image (two 2×2 poolings).</summary>
    public const int Downsampling = 4;

    /// <summary>A randomly initialised model (torchvision's initialisation; seed torch first for reproducible weights).</summary>
    /// <param name="classes">Output logits.</param>
    /// <param name="bands">Input channels.</param>
    /// <param name="samePadding">Pad the convolutions by 1 (the usual choice for patches; dense then differs from naive near window borders).</param>
    public SceneCnn(int classes = EuroSatClasses.Count, int bands = 3, bool samePadding = false) : base(nameof(SceneCnn), bands, classes)
    {
        SamePadding = samePadding;
        int padding = samePadding ? 1 : 0;
        Build(nn.Sequential(
                nn.Conv2d(bands, 32, 3, padding: padding), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding: padding), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(64, 128, 3, padding: padding), nn.ReLU()),
            nn.Sequential(nn.Linear(128, classes)));
    }

    /// <summary>Whether the convolutions are padded.</summary>
    public bool SamePadding { get; }

    /// <inheritdoc />
    public override ImageClassifier WithBands(int bands) => new SceneCnn(Classes, bands, SamePadding);

    /// <inheritdoc />
    public override int? FeatureStride => Downsampling;

    /// <summary>True without same-padding: every feature sees only its own pixels, so dense equals naive.</summary>
    public override bool FeaturesAreShiftEquivariant => !SamePadding;
}
