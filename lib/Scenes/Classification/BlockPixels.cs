using CnnSentinel.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnSentinel.Scenes;

/// <summary>
/// A block's pixels from its cells (<see cref="SceneClassifier"/>): class probabilities interpolated bilinearly between the
/// cell centres, water classes taken away where there is no water (<see cref="WaterTest"/>), the arg-max class, then the
/// masks — uncertain below <see cref="SceneClassifierOptions.UncertainBelow"/>,
/// clouds (<see cref="CloudTest"/>), the product's scene classification (<see cref="SceneClassificationMask"/>), nodata.
/// </summary>
internal static class BlockPixels
{
    // Numbers passed to libtorch per block, referenced for the whole process (see HeldScalars).
    static readonly Scalar NoDataFill = SceneClassifier.NoDataClass.ToScalar();
    static readonly Scalar UncertainFill = ((byte)MapMask.Uncertain).ToScalar();
    static readonly Scalar CloudFill = ((byte)MapMask.Cloud).ToScalar();
    static readonly Scalar NotANumber = float.NaN.ToScalar();

    /// <summary>The block's classes and probabilities from its <paramref name="cellProbabilities"/> [K, cells y, cells x].</summary>
    /// <param name="cellProbabilities">The cells' class probabilities (<see cref="CellClassifier.Classify"/>).</param>
    /// <param name="block">What was read for the block.</param>
    /// <param name="cells">The block's cells.</param>
    /// <param name="sceneClassification">The block's Level-2A scene classification, [bh, bw]; null without one.</param>
    /// <param name="notWater">Where the block is not water, [bh, bw], for <see cref="SceneClassifierOptions.Water"/>; null without a water test.</param>
    /// <param name="options">The classifier's settings.</param>
    /// <param name="window">The model's window size.</param>
    public static ClassifiedBlock Of(Tensor cellProbabilities, SceneBlockInput block, BlockCells cells, Tensor? sceneClassification, Tensor? notWater,
        SceneClassifierOptions options, int window)
    {
        var probabilities = Interpolate(cellProbabilities, cells.Rows, cells.Columns); // [K, bh, bw]
        // Uncertain says how sure the model is of its window, before the water test changes a pixel's class within it.
        Tensor? windowConfidence = null;
        if (notWater is not null && options.Water is { } water)
        {
            (windowConfidence, _) = probabilities.max(0);
            probabilities = water.Apply(probabilities, notWater);
        }
        var (confidence, classes) = probabilities.max(0);
        var classBytes = classes.to_type(ScalarType.Byte);
        using (var held = new HeldScalars())
        {
            if (options.UncertainBelow is { } threshold)
                classBytes = classBytes.masked_fill((windowConfidence ?? confidence).lt(held.Of(threshold)), UncertainFill);
            if (block.InputCloud is not null && options.Clouds is { } test)
            {
                // The share of cloud in each cell's window, interpolated like the probabilities: a window that is mostly
                // cloud gives no land-use class, whatever the model says about it — unless it is confident of built-up
                // land, whose white roofs pass the test too (CloudTest's remarks).
                var share = WindowShares(block.InputCloud, cells.RowStarts, cells.ColumnStarts, window);
                var pixelShare = Interpolate(share.unsqueeze(0), cells.Rows, cells.Columns)[0];
                var cloudy = pixelShare.ge(held.Of(test.CloudyWindowShare));
                var cloud = block.CentreCloud!;
                if (test.Spared(classes, confidence) is { } spared)
                {
                    cloudy = cloudy.logical_and(spared.logical_not());
                    cloud = cloud.logical_and(spared.logical_not());
                }
                classBytes = classBytes.masked_fill(cloudy, UncertainFill).masked_fill(cloud, CloudFill);
            }
        }
        if (sceneClassification is not null) classBytes = SceneClassificationMask.Apply(classBytes, sceneClassification);
        var centreNoData = block.CentreNoData;
        classBytes = classBytes.masked_fill(centreNoData, NoDataFill);
        // The probability map shows what Uncertain is judged on.
        confidence = (windowConfidence ?? confidence).masked_fill(centreNoData, NotANumber);
        float[]? all = options.KeepAllProbabilities
            ? probabilities.masked_fill(centreNoData.unsqueeze(0), NotANumber).contiguous().data<float>().ToArray()
            : null;
        return new ClassifiedBlock(cells.X, cells.Y, cells.Width, cells.Height, classBytes.contiguous().data<byte>().ToArray(),
            confidence.contiguous().data<float>().ToArray(), all);
    }

    /// <summary>
    /// The share of true pixels of <paramref name="mask"/> [H, W] in each cell's window [cells y, cells x], from a summed-area
    /// table: four look-ups per cell instead of a window-sized average at every input pixel (the counts stay exact in
    /// float32 up to 16 million pixels per block).
    /// </summary>
    internal static Tensor WindowShares(Tensor mask, long[] rowStarts, long[] colStarts, int window)
    {
        var table = F.pad(mask.to_type(ScalarType.Float32).cumsum(0).cumsum(1), [1, 0, 1, 0]); // [H + 1, W + 1], table[y, x] = sum above and left
        Tensor At(long[] rows, long[] cols) => table.index_select(0, tensor(rows)).index_select(1, tensor(cols));
        var rowEnds = rowStarts.Select(r => r + window).ToArray();
        var colEnds = colStarts.Select(c => c + window).ToArray();
        using var held = new HeldScalars();
        return (At(rowEnds, colEnds) - At(rowStarts, colEnds) - At(rowEnds, colStarts) + At(rowStarts, colStarts)) / held.Of((double)window * window);
    }

    /// <summary>Cell probabilities [K, cells y, cells x] → pixel probabilities [K, bh, bw], bilinearly (see <see cref="SceneClassifier"/>'s remarks).</summary>
    static Tensor Interpolate(Tensor cells, CellAxis rows, CellAxis cols)
    {
        var alongX = Lerp(cells, 2, cols);
        return Lerp(alongX, 1, rows);
    }

    static Tensor Lerp(Tensor cells, int dimension, CellAxis axis)
    {
        var lower = cells.index_select(dimension, tensor(axis.Lower));
        if (axis.Weights.All(w => w == 0)) return lower;
        var upper = cells.index_select(dimension, tensor(axis.Upper));
        var shape = Enumerable.Repeat(1L, 3).ToArray();
        shape[dimension] = axis.Weights.Length;
        return lower.lerp(upper, tensor(axis.Weights).view(shape));
    }
}
