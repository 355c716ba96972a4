namespace CnnSentinel.Evaluation;

/// <summary>The model's answer for one sample, kept beside the sample's key and true class.</summary>
/// <param name="Key">What the sample is, usually its file name.</param>
/// <param name="Truth">True class index.</param>
/// <param name="Predicted">Predicted class index (the most probable).</param>
/// <param name="Probabilities">Softmax probabilities of every class.</param>
public sealed record Prediction(string? Key, int Truth, int Predicted, float[] Probabilities)
{
    /// <summary>Probability of the predicted class.</summary>
    public float Confidence => Probabilities[Predicted];

    /// <summary>True when the prediction is right.</summary>
    public bool IsCorrect => Truth == Predicted;
}
