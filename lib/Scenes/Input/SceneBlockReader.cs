using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>
/// Reads what one block of a scene needs (<see cref="SceneClassifier"/>): the input rows and columns of its windows,
/// extended beyond the scene by symmetric reflection, converted to the model's units (<see cref="SceneClassifierOptions.Radiometry"/>)
/// and prepared (<see cref="SceneClassifierOptions.Preprocessing"/>); nodata, NaN and ±Inf count as the mean (0 after
/// normalisation). With a cloud test, the cloud mask on the raw values.
/// </summary>
/// <param name="raster">The scene.</param>
/// <param name="bands">1-based bands fed to the model, in its band order.</param>
/// <param name="noData">The nodata value of each of <paramref name="bands"/>; null where none.</param>
/// <param name="options">The classifier's settings.</param>
internal sealed class SceneBlockReader(GdalRaster raster, int[] bands, double?[] noData, SceneClassifierOptions options)
{
    // A number passed to libtorch per block, referenced for the whole process (see HeldScalars).
    static readonly Scalar Zero = 0f.ToScalar();

    readonly System.Diagnostics.Stopwatch _reading = new();

    /// <summary>The time spent in GDAL reading this scene's pixels so far.</summary>
    public TimeSpan ReadingTime => _reading.Elapsed;

    /// <summary>
    /// Scene index for each of <paramref name="count"/> coordinates from <paramref name="start"/>: inside the scene
    /// itself, outside it the symmetric reflection (numpy's "symmetric" padding, repeated for scenes smaller than the window).
    /// </summary>
    public static long[] SceneIndices(int start, int count, int size)
    {
        var indices = new long[count];
        for (int i = 0; i < count; i++)
        {
            int m = (((start + i) % (2 * size)) + 2 * size) % (2 * size);
            indices[i] = m < size ? m : 2 * size - 1 - m;
        }
        return indices;
    }

    /// <summary>
    /// Reads the scene's <paramref name="rows"/> × <paramref name="cols"/> (scene indices, <see cref="SceneIndices"/>) for the
    /// block at (<paramref name="bx"/>, <paramref name="by"/>) of <paramref name="bw"/> × <paramref name="bh"/> pixels.
    /// </summary>
    public SceneBlockInput Read(long[] rows, long[] cols, int bx, int by, int bw, int bh)
    {
        int r0 = (int)rows.Min(), r1 = (int)rows.Max();
        int c0 = (int)cols.Min(), c1 = (int)cols.Max();
        int h = r1 - r0 + 1, w = c1 - c0 + 1, channels = bands.Length;
        var raw = tensor(Timed(() => raster.Read(c0, r0, w, h, bands)), [channels, h, w]);
        var invalid = raw.isfinite().logical_not().any(0); // NaN and ±Inf: no value a class could be read from
        for (int b = 0; b < channels; b++)
            if (noData[b] is { } value && !double.IsNaN(value))
            {
                using var held = new HeldScalars();
                invalid = invalid.logical_or(raw[b].eq(held.Of(value)));
            }
        var rowIndex = tensor(rows.Select(i => i - r0).ToArray());
        var colIndex = tensor(cols.Select(i => i - c0).ToArray());
        Tensor Centre(Tensor map) => map[TensorIndex.Slice(by - r0, by - r0 + bh), TensorIndex.Slice(bx - c0, bx - c0 + bw)];
        Tensor? cloud = null;
        if (options.Radiometry is { } radiometry)
        {
            if (options.Clouds is { } test) cloud = test.Mask(raw, radiometry).logical_and(invalid.logical_not());
            if (!radiometry.IsIdentity)
            {
                using var held = new HeldScalars();
                raw = (raw * tensor(radiometry.Gain).view(channels, 1, 1) + tensor(radiometry.Offset).view(channels, 1, 1))
                    .clamp(held.Of(0.0), float.IsPositiveInfinity(radiometry.Maximum) ? null : held.Of(radiometry.Maximum));
            }
        }
        var normalised = options.Preprocessing.Apply(raw).masked_fill(invalid.unsqueeze(0), Zero);
        var input = normalised.index_select(1, rowIndex).index_select(2, colIndex);
        return new SceneBlockInput(input, Centre(invalid), cloud?.index_select(0, rowIndex).index_select(1, colIndex), cloud is null ? null : Centre(cloud));
    }

    /// <summary>The block's Level-2A scene classification (SCL) from <paramref name="band"/>, as [bh, bw] class numbers.</summary>
    public Tensor SceneClassification(int band, int bx, int by, int bw, int bh) =>
        tensor(Timed(() => raster.Read(bx, by, bw, bh, [band])), [bh, bw]).to_type(ScalarType.Int64);

    /// <summary>Where the block is not water ([bh, bw], <see cref="WaterTest.NotWater"/>), from its green and near-infrared <paramref name="waterBands"/>.</summary>
    public Tensor NotWater(int[] waterBands, int bx, int by, int bw, int bh)
    {
        var greenAndNearInfrared = tensor(Timed(() => raster.Read(bx, by, bw, bh, waterBands)), [2, bh, bw]);
        return WaterTest.NotWater(greenAndNearInfrared[0], greenAndNearInfrared[1]);
    }

    float[] Timed(Func<float[]> read)
    {
        _reading.Start();
        try
        {
            return read();
        }
        finally
        {
            _reading.Stop();
        }
    }
}
