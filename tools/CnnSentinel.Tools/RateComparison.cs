using System.Globalization;
using System.Text.Json.Serialization;

namespace CnnSentinel.Tools;

/// <summary>
/// One rate measured side by side with its reference in the same run (the machine is shared: only the ratio of two
/// rates taken in turn means much), with the goal for their ratio.
/// </summary>
/// <param name="What">What was measured, in words ("loader, RGB with augmentation").</param>
/// <param name="ImagesPerSecond">Its rate.</param>
/// <param name="Reference">What it is compared with ("small-CNN training, RGB").</param>
/// <param name="ReferenceImagesPerSecond">The reference's rate.</param>
/// <param name="Goal">The least ratio wanted (e.g. 5: the loader at least 5× as fast as training).</param>
/// <param name="Rounds">Each round's ratio where the rates are medians or maxima over rounds; empty otherwise.</param>
public sealed record RateComparison(string What, double ImagesPerSecond, string Reference, double ReferenceImagesPerSecond, double Goal,
    IReadOnlyList<double> Rounds)
{
    /// <summary>The rate over the reference's.</summary>
    [JsonIgnore]
    public double Ratio => ImagesPerSecond / ReferenceImagesPerSecond;

    /// <summary>Whether the ratio reaches the goal.</summary>
    [JsonIgnore]
    public bool Met => Ratio >= Goal;

    /// <summary>
    /// Both rates, the ratio and whether it meets the goal, then each round's ratio when there are several, e.g.
    /// "loader 1,000 images/s, training 100 images/s → **10.0×** (goal ≥ 5×: met)": the bench prints it, the README row shows it.
    /// </summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{What} {ImagesPerSecond:N0} images/s, {Reference} {ReferenceImagesPerSecond:N0} images/s → **{Ratio:0.0#}×** (goal ≥ {Goal:0.#}×: {(Met ? "met" : "missed")})")
        + (Rounds.Count > 1 ? $"; rounds {string.Join(", ", Rounds.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}" : "");
}
