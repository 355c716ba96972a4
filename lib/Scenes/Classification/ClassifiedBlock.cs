namespace CnnSentinel.Scenes;

/// <summary>
/// The classification of one block of a scene, row after row. Nodata pixels have class
/// <see cref="SceneClassifier.NoDataClass"/> and probability NaN.
/// </summary>
/// <param name="X">First column of the block in the scene.</param>
/// <param name="Y">First row.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Classes">Class index of each pixel (the arg-max of the probabilities), or a <see cref="MapMask"/> value where it is masked.</param>
/// <param name="Confidence">The largest class probability of each pixel (softmax, 0–1): the model's, for the pixel's window,
/// before a water test (<see cref="WaterTest"/>) took a water class away; what <see cref="SceneClassifierOptions.UncertainBelow"/> is judged on.</param>
/// <param name="Probabilities">Every class's probability, class after class ([K, Height, Width]); null unless asked for.</param>
internal sealed record ClassifiedBlock(int X, int Y, int Width, int Height, byte[] Classes, float[] Confidence, float[]? Probabilities);
