namespace CnnSentinel.Transforms;

/// <summary>
/// Accumulates <see cref="BandStatistics"/> one image at a time, without keeping the images: each image's
/// band mean and sum of squared deviations are computed exactly (two passes over the image in memory),
/// then merged into the running totals with Chan et al.'s pairwise formula, which stays accurate where the
/// mean is large against the std (e.g. B01: mean 1353, std 65).
/// </summary>
internal sealed class BandStatisticsAccumulator
{
    readonly int _bands;
    readonly double[] _mean, _squaredDeviations, _imageStdSum;
    long _images, _pixels;

    /// <summary>An empty accumulator for images of <paramref name="bands"/> bands.</summary>
    public BandStatisticsAccumulator(int bands)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bands);
        _bands = bands;
        _mean = new double[bands];
        _squaredDeviations = new double[bands];
        _imageStdSum = new double[bands];
    }

    /// <summary>Adds one image, band-first (<c>bands</c> planes of equal size).</summary>
    public void Add(ReadOnlySpan<ushort> pixels)
    {
        if (pixels.Length == 0 || pixels.Length % _bands != 0)
            throw new ArgumentException($"an image of {_bands} bands needs a multiple of {_bands} values, got {pixels.Length}", nameof(pixels));
        int plane = pixels.Length / _bands;
        for (int b = 0; b < _bands; b++)
        {
            var band = pixels.Slice(b * plane, plane);
            double sum = 0;
            foreach (var v in band) sum += v;
            double mean = sum / plane, m2 = 0;
            foreach (var v in band) m2 += (v - mean) * (v - mean);
            _imageStdSum[b] += Math.Sqrt(m2 / plane);

            long n = _pixels + plane;
            double delta = mean - _mean[b];
            _mean[b] += delta * plane / n;
            _squaredDeviations[b] += m2 + delta * delta * ((double)_pixels * plane / n);
        }
        _pixels += plane;
        _images++;
    }

    /// <summary>The statistics so far.</summary>
    /// <exception cref="InvalidOperationException">No image was added.</exception>
    public BandStatistics Result(IReadOnlyList<string> bandNames)
    {
        if (_images == 0) throw new InvalidOperationException("no images were added");
        if (bandNames.Count != _bands) throw new ArgumentException($"{bandNames.Count} names for {_bands} bands", nameof(bandNames));
        return new BandStatistics(bandNames, (double[])_mean.Clone(),
            _imageStdSum.Select(s => s / _images).ToArray(),
            _squaredDeviations.Select(m2 => Math.Sqrt(m2 / _pixels)).ToArray(),
            _images, _pixels);
    }
}
