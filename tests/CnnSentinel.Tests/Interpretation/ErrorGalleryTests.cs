using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Interpretation;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Interpretation;

public class ErrorGalleryTests
{
    /// <summary>Predictions on the first patches of each class of the bundled sample: every third one wrong (as the next class), with given confidences.</summary>
    static (EuroSatDataset Dataset, EvaluationReport Report) Bundled()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        int classes = dataset.Classes.Count, i = 0;
        var predictions = dataset.Classes.SelectMany((_, c) => dataset.Samples.Where(s => s.ClassIndex == c).Take(3)).Select(s =>
        {
            var predicted = i % 3 == 0 ? (s.ClassIndex + 1) % classes : s.ClassIndex;
            var probabilities = Enumerable.Repeat(0.01f, classes).ToArray();
            probabilities[predicted] = 0.5f + 0.01f * i++;
            return new Prediction(s.RelativePath, s.ClassIndex, predicted, probabilities);
        }).ToList();
        return (dataset, new EvaluationReport(dataset.Classes, predictions));
    }

    [Fact]
    public void ErrorsAndCorrectPredictionsShowTheFilesPixelsWithOneScalingAndTwoLineCaptions()
    {
        var (dataset, report) = Bundled();
        var wrong = ErrorGallery.MostConfidentlyWrong(report, dataset, count: 4);
        var expected = report.MostConfidentlyWrong(4);
        Assert.Equal(4, wrong.Images.shape[0]);
        Assert.Equal(ScalarType.Byte, wrong.Images.dtype);
        // The pixels are the files' own (no per-image stretch): the grid's first image is the most confident error's file.
        var file = dataset.ReadImages([dataset.Samples.Single(s => s.RelativePath == expected[0].Key)]);
        Assert.True(file.round().to_type(ScalarType.Byte).eq(wrong.Images.narrow(0, 0, 1)).all().item<bool>());
        Assert.Equal($"{dataset.Classes[expected[0].Truth]}\n→ {dataset.Classes[expected[0].Predicted]}\n({expected[0].Confidence:0.00})", wrong.Captions![0]);

        var right = ErrorGallery.Correct(report, dataset, perClass: 1);
        Assert.Equal(dataset.Classes.Count, (int)right.Images.shape[0]);
        Assert.All(right.Captions!, c => Assert.Matches(@"^\w+\n\(0\.\d\d\)$", c));
        Assert.Equal(dataset.Classes, right.Captions!.Select(c => c.Split('\n')[0]).ToList());

        using var bitmap = right.ToBitmap(); // two caption lines under each image
        Assert.Equal(64 * 2 + 2 * 16, bitmap.Height);
    }
}
