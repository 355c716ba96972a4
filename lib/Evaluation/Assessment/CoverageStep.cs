namespace CnnSentinel.Evaluation.Assessment;

/// <summary>One point of the accuracy–coverage curve: what the map would score with its Uncertain threshold at <see cref="Threshold"/>.</summary>
/// <param name="Threshold">Land-class pixels whose largest class probability is below this count as Uncertain.</param>
/// <param name="Coverage">Share of the reference samples given a land class (not Uncertain, masked or nodata).</param>
/// <param name="CoveredAccuracy">Share of those covered samples that are right; NaN when none is covered.</param>
/// <param name="Accuracy">Share of all samples that are right, the uncovered counted wrong.</param>
internal sealed record CoverageStep(double Threshold, double Coverage, double CoveredAccuracy, double Accuracy);
