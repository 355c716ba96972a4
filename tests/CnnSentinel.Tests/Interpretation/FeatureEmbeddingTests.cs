using CnnSentinel.Interpretation;
using CnnSentinel.Tests.Training;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Interpretation;

public class FeatureEmbeddingTests
{
    [Fact]
    public void PcaMatchesTheEigenvectorsOfTheCovariance()
    {
        manual_seed(3);
        var features = randn(200, 5) * tensor(new[] { 5f, 3f, 1f, 0.5f, 0.1f }) + 7;
        var projection = FeatureEmbedding.Pca(features);

        // Independent computation: eigen-decomposition of the covariance matrix.
        var centred = features.to_type(ScalarType.Float64) - features.to_type(ScalarType.Float64).mean([0], keepdim: true);
        var (_, vectors) = linalg.eigh(centred.t().matmul(centred));
        var top = vectors.index_select(1, tensor(new long[] { 4, 3 })); // eigh sorts ascending
        var expected = centred.matmul(top).to_type(ScalarType.Float32);
        for (int k = 0; k < 2; k++)
        {
            var a = projection[TensorIndex.Colon, k];
            var b = expected[TensorIndex.Colon, k];
            var sign = (a * b).sum().sign(); // eigenvectors have no fixed sign
            Assert.True((a - b * sign).abs().max().item<float>() < 1e-3f, $"component {k}");
        }
        Assert.True(projection[TensorIndex.Colon, 0].var().item<float>() > projection[TensorIndex.Colon, 1].var().item<float>());
    }

    [Fact]
    public void FeaturesAreTheInputsOfTheLastLinearLayerInBatchOrder()
    {
        var (_, val) = TinyProblem.Data();
        var model = TinyProblem.Model();
        var (features, labels) = FeatureEmbedding.Features(model, val.Batches(0));
        Assert.Equal(new long[] { val.Count, 32 }, features.shape);
        Assert.Equal(val.Batches(0).SelectMany(b => b.Labels.data<long>().ToArray()), labels);
        var chart = Plotly.NET.GenericChart.toFigureJson(FeatureEmbedding.Chart(FeatureEmbedding.Pca(features), labels, ["a", "b", "c"]));
        Assert.Contains("\"name\":\"c\"", chart);
    }
}
