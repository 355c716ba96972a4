using CnnSentinel.Transforms;

namespace CnnSentinel.Scenes;

/// <summary>Settings of <see cref="SceneClassifier"/>.</summary>
/// <param name="Preprocessing">The model's preprocessing (its model file's, <see cref="Models.ModelDescription.Preprocessing"/>), in the order of the bands read:
/// the classifier applies its <see cref="Preprocessing.Input"/> stage to the values in the model's units, the network the rest.</param>
/// <param name="Mode">Naive (the reference) or dense (fast).</param>
/// <param name="Stride">Distance between classified window centres, in pixels (a grid over the whole scene); the class
/// probabilities of the pixels between centres are interpolated bilinearly. 1 classifies every pixel's own window; the model's
/// downsampling (32 for ResNet18) is the cheapest dense stride.</param>
/// <param name="BlockSize">Side of the output blocks the scene is processed in; memory grows with its square, not with the scene.</param>
/// <param name="ContextMargin">Dense mode: extra input read around each block, at least the receptive-field radius of the model's
/// convolutional part (beyond its window), so that block seams do not show. Rounded up to a multiple of the downsampling.</param>
/// <param name="BatchSize">Windows per forward pass in naive mode; in dense mode a 64th of it (at least 1) is the number of shifted
/// copies of a block per forward pass (4 by default: about 0.6 GB of activations for the scene CNN on 512 × 512 blocks).</param>
/// <param name="NoData">Input value that means "no data" in every band, overriding the file's own nodata; the file's when null.</param>
/// <param name="KeepAllProbabilities">Also return every class's probability, not only the largest.</param>
/// <param name="UncertainBelow">Pixels whose largest class probability is below this get <see cref="MapMask.Uncertain"/>
/// instead of a class (EuroSAT has no cloud class: clouds and their shadows come out as low-confidence guesses); none when null.</param>
/// <param name="AgreementSamplesPerBlock">Dense mode with a padded network, and adaptive mode: cell centres per block (adaptive:
/// interpolated ones) also classified as lone windows, to measure the map's agreement with the naive method (<see cref="SceneClassifier.Agreement"/>).</param>
/// <param name="Radiometry">How raw values become the model's units (applied before <see cref="Preprocessing"/>); none when null.</param>
/// <param name="Clouds">A cloud test on the raw values (needs <see cref="Radiometry"/>): cloud pixels get <see cref="MapMask.Cloud"/>,
/// pixels whose window is mostly cloud <see cref="MapMask.Uncertain"/>; none when null.</param>
/// <param name="Device">Where the model runs (the windows and blocks are moved there, the results back); the CPU when null.
/// A device this machine lacks is refused.</param>
/// <param name="Precision">The number format the network computes in (<see cref="Runtime.ComputePrecision"/>; the classifier converts
/// the network to it). float32 by default; bfloat16 is faster on a CPU with bfloat16 instructions, with probabilities that
/// differ slightly (the <c>precision</c> bench measures how much and how fast).</param>
/// <param name="Water">Where the scene has near infrared: water classes only where green is above it (<see cref="WaterTest"/>); none when null.</param>
/// <param name="AdaptiveCoarsest">Adaptive mode: the largest spacing in pixels of the first lattice of windows (the largest
/// power of two times the stride up to it; half a EuroSAT window by default, so that neighbouring windows of the lattice
/// still overlap by half).</param>
/// <param name="AdaptiveSettledAbove">Adaptive mode: a cell between four classified cells of one class, each with at least
/// this probability, is interpolated instead of classified (0.5–1; the higher, the more cells are classified).</param>
public sealed record SceneClassifierOptions(
    Preprocessing Preprocessing,
    ClassificationMode Mode = ClassificationMode.Dense,
    int Stride = 1,
    int BlockSize = 512,
    int ContextMargin = 16,
    int BatchSize = 256,
    double? NoData = null,
    bool KeepAllProbabilities = false,
    double? UncertainBelow = null,
    int AgreementSamplesPerBlock = 16,
    SceneRadiometry? Radiometry = null,
    CloudTest? Clouds = null,
    TorchSharp.torch.Device? Device = null,
    Runtime.ComputePrecision Precision = Runtime.ComputePrecision.Float32,
    WaterTest? Water = null,
    int AdaptiveCoarsest = 32,
    double AdaptiveSettledAbove = SceneClassifierOptions.DefaultAdaptiveSettledAbove)
{
    /// <summary>
    /// Pixels between classified centres in naive mode by default: with interpolated probabilities, 16 draws boundaries
    /// almost as well as every pixel's own window (stride 1, the original) at a 256th of the cost.
    /// </summary>
    public const int NaiveDefaultStride = 16;

    /// <summary>
    /// The default <see cref="UncertainBelow"/>: a class the model gives less than even odds. EuroSAT-trained models give
    /// well over 0.5 to patches like their training data, so a lower probability means a window unlike them (mixed, hazy, unseen).
    /// </summary>
    public const double DefaultUncertainBelow = 0.5;

    /// <summary>
    /// The default <see cref="AdaptiveSettledAbove"/>, chosen by measurement when adaptive mode was built (shipped RGB
    /// model, stride 8): its class maps then agreed with naive windows' on 99.8 % or more of the pixels of the map-accuracy
    /// mosaic, the bundled scene and the reference scenes, where 0.7 changed 0.7 % of the bundled scene's pixels.
    /// </summary>
    public const double DefaultAdaptiveSettledAbove = 0.8;

    /// <summary>
    /// The settings <c>cnnsentinel classify</c> uses for <paramref name="model"/>, prepared with <paramref name="preprocessing"/>, on a scene of <paramref name="radiometry"/>:
    /// dense mode where it equals naive windows (unpadded networks), naive otherwise; stride 1 dense, <see cref="NaiveDefaultStride"/>
    /// naive; pixels below <see cref="DefaultUncertainBelow"/> uncertain; the default cloud test; the water test (used where the scene has near infrared).
    /// </summary>
    /// <param name="model">The window classifier.</param>
    /// <param name="preprocessing">Its preprocessing.</param>
    /// <param name="radiometry">What the scene's values are.</param>
    /// <param name="classes">The model's class names in output order (its model file's); EuroSAT's when null. The cloud test spares the built-up ones (<see cref="CloudTest.For"/>).</param>
    public static SceneClassifierOptions For(WindowModel model, Preprocessing preprocessing, SceneRadiometry radiometry, IReadOnlyList<string>? classes = null)
    {
        var mode = model.DenseIsExact ? ClassificationMode.Dense : ClassificationMode.Naive;
        return new SceneClassifierOptions(preprocessing, mode, DefaultStride(mode),
            UncertainBelow: DefaultUncertainBelow, Radiometry: radiometry, Clouds: CloudTest.For(classes), Water: WaterTest.For(classes));
    }

    /// <summary>The default stride of <paramref name="mode"/>: 1 dense (every pixel costs little), <see cref="NaiveDefaultStride"/> naive.</summary>
    public static int DefaultStride(ClassificationMode mode) => mode == ClassificationMode.Dense ? 1 : NaiveDefaultStride;
}
