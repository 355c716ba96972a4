namespace CnnSentinel.Scenes;

/// <summary>How a scene is classified.</summary>
public enum ClassificationMode
{
    /// <summary>
    /// The original's way (kept as the reference): a window centred on every pixel, cut out of the symmetrically
    /// padded scene and classified on its own (in batches).
    /// </summary>
    Naive,

    /// <summary>
    /// Fully convolutional: the model's convolutional part runs once per block of the scene and its head at every
    /// window position (for strides below the model's downsampling, its later layers dilated instead of strided, or
    /// shift-and-stitch where a network cannot be rewritten so). Orders of magnitude faster; differs from naive only
    /// where zero padding inside a lone window meets real neighbours in the scene.
    /// </summary>
    Dense,

    /// <summary>
    /// Naive windows, coarse to fine: windows classified on a coarse lattice of the stride grid first, then at the
    /// cells between only where the coarser ones around them disagree or are unsure, the rest interpolated between
    /// them (<see cref="SceneClassifierOptions.AdaptiveCoarsest"/>, <see cref="SceneClassifierOptions.AdaptiveSettledAbove"/>).
    /// Every classified cell is its naive window; the share classified and the interpolated cells' agreement with their
    /// windows are measured.
    /// </summary>
    Adaptive,
}
