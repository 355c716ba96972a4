using System.Globalization;
using CnnSentinel.Datasets;
using CnnSentinel.IO;

namespace CnnSentinel.Transforms;

/// <summary>
/// Per-band statistics of a set of patches, with both definitions of the standard deviation in use:
/// <see cref="MeanOfImageStd"/> (the original statistics.py: the average of each image's own std) and
/// <see cref="GlobalStd"/> (the std of all pixels of the band together, what torchgeo and most others use,
/// and larger because it includes the differences between images).
/// </summary>
/// <param name="BandNames">Band names, in channel order.</param>
/// <param name="Mean">Mean of each band over all pixels (equal to the mean of the per-image means: all patches have the same size).</param>
/// <param name="MeanOfImageStd">Average over images of each image's population std of the band.</param>
/// <param name="GlobalStd">Population std of the band over all pixels of all images.</param>
/// <param name="Images">Number of images.</param>
/// <param name="PixelsPerBand">Number of pixels per band over all images.</param>
public sealed record BandStatistics(
    IReadOnlyList<string> BandNames, double[] Mean, double[] MeanOfImageStd, double[] GlobalStd, long Images, long PixelsPerBand)
{
    /// <summary>
    /// Computes the statistics of <paramref name="samples"/> (all of <paramref name="dataset"/> when null) in one
    /// streaming pass: files are decoded in parallel but added in order, so the result is the same every run.
    /// </summary>
    /// <exception cref="InvalidPatchException">A file is damaged; the message names it.</exception>
    public static BandStatistics Compute(EuroSatDataset dataset, IEnumerable<EuroSatSample>? samples = null)
    {
        var accumulator = new BandStatisticsAccumulator(dataset.BandCount);
        foreach (var pixels in (samples ?? dataset.Samples).AsParallel().AsOrdered().Select(dataset.Read))
            accumulator.Add(pixels);
        return accumulator.Result(dataset.BandNames);
    }

    /// <summary>Constants shown beside these statistics when a notebook displays them (see <see cref="Beside"/>).</summary>
    public ChannelNormalization? Reference { get; init; }

    /// <summary>These statistics, displayed beside <paramref name="reference"/>'s constants (e.g. the original's normalisation).</summary>
    public BandStatistics Beside(ChannelNormalization reference) => this with { Reference = reference };

    /// <summary>An HTML table, one row per band, beside <paramref name="reference"/>'s constants (default <see cref="Reference"/>) when given.</summary>
    public string ToHtml(ChannelNormalization? reference = null)
    {
        reference ??= Reference;
        static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var headings = new List<HtmlCell> { "band", "mean", "mean of image stds", "global std" };
        if (reference is not null) headings.AddRange(["reference mean", "reference std"]);
        var rows = Enumerable.Range(0, BandNames.Count).Select(b =>
        {
            var row = new List<HtmlCell> { BandNames[b], F(Mean[b]), F(MeanOfImageStd[b]), F(GlobalStd[b]) };
            if (reference is not null) row.AddRange([F(reference.Mean[b]), F(reference.Std[b])]);
            return row;
        });
        return HtmlTable.Render("cnnsentinel-statistics", headings, rows) + $"<p>{Images:N0} images, {PixelsPerBand:N0} pixels per band</p>";
    }

    /// <summary>The normalisation these statistics give: the mean and, as chosen, the global or the original's std.</summary>
    public ChannelNormalization ToNormalization(bool globalStd = true) => new(Mean, globalStd ? GlobalStd : MeanOfImageStd);
}
