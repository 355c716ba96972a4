using CnnSentinel.Datasets;
using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// Water classes only where there is water: where a scene has near infrared (B08) beside green (B03), a pixel whose
/// green is not above its near infrared (NDWI ≤ 0, McFeeters 1996) is no water, so its probabilities of the water
/// classes are taken away and the rest renormalised — the classes given that the pixel is land.
/// </summary>
/// <remarks>
/// Why: EuroSAT labels a whole 64 × 64 patch River when a river crosses it, so a window classifier calls the woods and
/// meadows along a river River as well (on the Leipzig reference scene, about half of its forest and pasture points), and
/// dark woods or cloud shadows SeaLake. An RGB network cannot tell a dark wood from water by colour; near infrared
/// can: water absorbs it, leaves reflect it strongly. Why green against near infrared rather than a threshold on
/// reflectance: the sign of <c>green − NIR</c> is the same in digital numbers, in Level-1C and Level-2A reflectance
/// and after a product's common add-offset, so the test needs no radiometry. Water pixels keep what the model says:
/// a pond in a field stays the field where the window saw no water. Uncertain (<see cref="SceneClassifierOptions.UncertainBelow"/>)
/// stays a judgement of the window, on the model's probabilities before this test: the model may be sure that a
/// window holds a river and less sure which land lies beside it.
/// </remarks>
/// <param name="WaterClasses">The model's output indices of the water classes.</param>
public sealed record WaterTest(IReadOnlyList<int> WaterClasses)
{
    /// <summary>EuroSAT's water classes.</summary>
    public static IReadOnlyList<string> WaterClassNames { get; } = ["River", "SeaLake"];

    /// <summary>The test for a model with <paramref name="classes"/> (its output order; EuroSAT's when null); null when the model has no water class.</summary>
    public static WaterTest? For(IReadOnlyList<string>? classes = null)
    {
        var names = (classes ?? EuroSatClasses.Names).ToList();
        var water = WaterClassNames.Select(n => names.IndexOf(n)).Where(i => i >= 0).ToList();
        return water.Count == 0 ? null : new WaterTest(water);
    }

    /// <summary>The settings in words (what a run record keeps).</summary>
    public override string ToString() => $"WaterTest {{ green > near infrared, WaterClasses = {string.Join(" ", WaterClasses)} }}";

    /// <summary>Where a pixel is not water ([H, W]), from its raw green and near-infrared values ([H, W] each); no-data (NaN) pixels are not marked.</summary>
    public static Tensor NotWater(Tensor green, Tensor nearInfrared) => green.le(nearInfrared);

    /// <summary>
    /// Pixel probabilities [K, H, W] with the water classes' taken away and the rest renormalised where <paramref name="notWater"/>
    /// ([H, W]) holds; unchanged elsewhere, and where the model gave the water classes everything.
    /// </summary>
    public Tensor Apply(Tensor probabilities, Tensor notWater)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var land = ones(probabilities.shape[0], dtype: probabilities.dtype, device: probabilities.device);
        land.index_fill_(0, tensor(WaterClasses.Select(i => (long)i).ToArray(), device: probabilities.device), held.Of(0.0));
        var landOnly = probabilities * land.view(-1, 1, 1);
        var landShare = landOnly.sum(0, keepdim: true);
        var given = notWater.unsqueeze(0).logical_and(landShare.gt(held.Of(0.0)));
        return where(given, landOnly / landShare.clamp_min(held.Of(1e-12)), probabilities).MoveToOuterDisposeScope();
    }
}
