using System.Text.Json.Nodes;
using CnnSentinel.Evaluation;
using CnnSentinel.Tests.Training;
using CnnSentinel.Training;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Evaluation;

public class EvaluatorTests
{
    static readonly string[] Classes = ["horizontal", "vertical", "flat"];

    [Fact]
    public void PredictionsStayAlignedWithTheirSamplesEvenWhenTheDataIsShuffled()
    {
        // The "model" reads the class straight from the first pixel, so every prediction must equal its own label.
        var labels = tensor(new long[] { 0, 1, 2, 2, 1, 0, 0, 2 });
        var inputs = labels.to_type(ScalarType.Float32).reshape(-1, 1, 1, 1).expand(-1, 1, 2, 2).contiguous();
        var keys = Enumerable.Range(0, 8).Select(i => $"sample_{i}_class_{labels[i].item<long>()}").ToList();
        var data = new InMemoryTrainingData(inputs, labels, batchSize: 3, shuffle: true, seed: 5, keys: keys);

        var report = Evaluator.Evaluate(new FirstPixelClassifier(), data.Batches(epoch: 1), Classes);
        Assert.Equal(8, report.Predictions.Count);
        Assert.All(report.Predictions, p => Assert.EndsWith($"_class_{p.Truth}", p.Key));
        Assert.All(report.Predictions, p => Assert.True(p.IsCorrect));
        Assert.Equal(1.0, report.Confusion.OverallAccuracy);
        Assert.NotEqual(keys, report.Predictions.Select(p => p.Key)); // it really was shuffled
    }

    [Fact]
    public void ReportSavesFiguresMatrixAndPredictionsAsJson()
    {
        var predictions = new List<Prediction>
        {
            new("a.jpg", 0, 0, [0.9f, 0.05f, 0.05f]),
            new("b.jpg", 0, 1, [0.3f, 0.6f, 0.1f]),
            new("c.jpg", 1, 1, [0.1f, 0.8f, 0.1f]),
            new("d.jpg", 1, 0, [0.7f, 0.2f, 0.1f]),
        };
        var report = new EvaluationReport(Classes, predictions);
        Assert.Equal(["d.jpg", "b.jpg"], report.MostConfidentlyWrong(5).Select(p => p.Key));

        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "evaluation.json");
        report.Save(path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(0.5, (double)json["overallAccuracy"]!);
        Assert.Equal([1L, 1L, 0L], json["confusion"]![0]!.AsArray().Select(v => (long)v!));
        Assert.Equal(0.5, (double)json["confusionRowNormalised"]![1]![1]!);
        Assert.Equal("NaN", json["confusionRowNormalised"]![2]![0]!.ToString()); // the class "flat" never occurs
        Assert.Equal("b.jpg", (string)json["predictions"]![1]!["key"]!);
        Assert.Equal(0, (int)json["perClass"]![2]!["Support"]!);
    }

    sealed class FirstPixelClassifier() : nn.Module<Tensor, Tensor>("first_pixel")
    {
        public override Tensor forward(Tensor x) =>
            nn.functional.one_hot(x[TensorIndex.Colon, 0, 0, 0].to_type(ScalarType.Int64), 3).to_type(ScalarType.Float32) * 10;
    }
}
