using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// How a block's cells get their class probabilities (<see cref="SceneClassifier"/>): each window on its own
/// (<see cref="NaiveCellClassifier"/>, the original's method) or the convolutional part once per block
/// (<see cref="DenseCellClassifier"/>).
/// </summary>
internal abstract class CellClassifier
{
    /// <summary>The strategy <paramref name="options"/> ask for (<see cref="SceneClassifierOptions.Mode"/>).</summary>
    public static CellClassifier For(WindowModel model, SceneClassifierOptions options) =>
        options.Mode == ClassificationMode.Dense ? new DenseCellClassifier(model, options) : new NaiveCellClassifier(model, options);

    /// <summary>Input read around the block's windows on each side.</summary>
    public abstract int Margin { get; }

    /// <summary>Input read beyond the windows and margins, at the far edge.</summary>
    public abstract int Extra { get; }

    /// <summary>
    /// How often the cells agreed with naive windows at sampled centres since <see cref="Restart"/>; null where not measured.
    /// </summary>
    public virtual SceneAgreement? Agreement => null;

    /// <summary>Forgets what was measured: a new scene begins.</summary>
    public virtual void Restart()
    {
    }

    /// <summary>The class probabilities of the block's <paramref name="cells"/>, [K, cells y, cells x].</summary>
    public abstract Tensor Classify(SceneBlockInput block, BlockCells cells);
}
