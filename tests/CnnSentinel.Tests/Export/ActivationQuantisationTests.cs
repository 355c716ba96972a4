using CnnSentinel.Datasets;
using CnnSentinel.Export;
using CnnSentinel.Models;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace CnnSentinel.Tests.Export;

/// <summary>
/// Exports that compute in 8 bits (<see cref="OnnxExport.ToBytes"/> with calibration windows): ONNX Runtime runs their
/// convolutions as integer convolutions. (That the shipped model keeps its labels so: <see cref="OnnxExportTests"/>.)
/// </summary>
public class ActivationQuantisationTests(ITestOutputHelper output)
{
    /// <summary>
    /// What makes the file fast: ONNX Runtime, optimising the graph as it loads it, runs as one integer convolution
    /// (QLinearConv) every convolution of a ResNet18 that reads uint8 values, and every residual addition of two as an
    /// integer addition (QLinearAdd). Float32 convolutions are left exactly where the export leaves values in float32:
    /// the first (it reads the image), those of the first stage, whose maps are the finest any later convolution reads,
    /// and the two that read the first stage's output (the second stage's first convolution and its shortcut).
    /// </summary>
    [Fact]
    public void ConvolutionsReadingUint8ValuesRunAsIntegerConvolutions()
    {
        using var model = OnnxExportTests.Build("ResNet18");
        var metadata = ExportMetadata.For(model);
        using var calibration = torch.rand(20, 3, 64, 64, generator: new torch.Generator(4)) * 255;
        var source = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model, metadata, OnnxWeights.Int8));
        var convolutions = source.Graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Name).ToList();
        var additions = source.Graph.Node.Where(n => n.OpType == "Add").Select(n => n.Name).ToList();
        string[] inFloat = ["conv1", "layer1.0.conv1", "layer1.0.conv2", "layer1.1.conv1", "layer1.1.conv2", "layer2.0.conv1", "layer2.0.downsample.0"];
        Assert.Subset(convolutions.ToHashSet(), inFloat.ToHashSet());

        var folder = TestEnvironment.NewTempDirectory("quantised-graph");
        try
        {
            var optimised = Path.Combine(folder, "optimised.onnx");
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimised })
            using (new InferenceSession(OnnxExport.ToBytes(model, metadata, OnnxWeights.Int8, calibration), options)) { }
            var nodes = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimised)).Graph.Node;
            output.WriteLine(string.Join(", ", nodes.GroupBy(n => n.OpType).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
            // ONNX Runtime fuses a float32 convolution with the ReLU after it (FusedConv).
            Assert.Equal(inFloat.Order(), nodes.Where(n => n.OpType is "Conv" or "FusedConv").Select(n => n.Name).Order());
            Assert.Equal(convolutions.Count - inFloat.Length, nodes.Count(n => n.OpType == "QLinearConv"));
            Assert.Equal(additions.Count(a => !a.StartsWith("layer1.")), nodes.Count(n => n.OpType == "QLinearAdd"));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void CalibrationNeedsInt8WeightsAndWindowsOfTheModelsShape()
    {
        using var model = new SceneCnn();
        var metadata = ExportMetadata.For(model);
        using var windows = torch.rand(4, 3, 64, 64);
        Assert.Contains("need int8 weights", Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, metadata, OnnxWeights.Float32, windows)).Message);
        using var small = torch.rand(4, 3, 32, 32);
        Assert.Contains("N × 3 × 64 × 64 (N ≥ 1); got [4, 3, 32, 32]", Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, metadata, OnnxWeights.Int8, small)).Message);
        using var none = torch.rand(0, 3, 64, 64);
        Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, metadata, OnnxWeights.Int8, none));
    }

    /// <summary>
    /// Calibration windows: as many as asked (all patches where the dataset has fewer), the same for the same seed,
    /// each a bundled patch through the model's input stage; patches of other bands are refused by name.
    /// </summary>
    [Fact]
    public void CalibrationWindowsAreSeededPatchesThroughTheInputStage()
    {
        var (model, description) = ModelFile.Load(ProjectPaths.ShippedRgbModel);
        using var _ = model;
        var metadata = ExportMetadata.For(description);
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        using var twenty = OnnxExport.CalibrationWindows(dataset, metadata, count: 20);
        using var again = OnnxExport.CalibrationWindows(dataset, metadata, count: 20);
        using var other = OnnxExport.CalibrationWindows(dataset, metadata, count: 20, seed: 1);
        Assert.Equal([20L, 3, 64, 64], twenty.shape);
        Assert.Equal(0f, (twenty - again).abs().max().item<float>());
        Assert.NotEqual(0f, (twenty - other).abs().max().item<float>());
        using var images = dataset.ReadImages(dataset.Samples);
        using var all = metadata.Preprocessing.Apply(images);
        // Each window is one of the patches, through the input stage.
        for (var i = 0; i < 20; i++)
        {
            using var window = twenty[i].unsqueeze(0);
            using var distance = (all - window).abs().amax([1, 2, 3]);
            Assert.True(distance.min().item<float>() < 1e-6f, $"window {i} is none of the bundled patches through the input stage.");
        }
        using var every = OnnxExport.CalibrationWindows(dataset, metadata, count: 100_000);
        Assert.Equal(dataset.Samples.Count, every.shape[0]);

        var multispectral = EuroSatDataset.Open(PatchFixtures.BundledMultispectral);
        Assert.Contains(multispectral.Root, Assert.Throws<ArgumentException>(() => OnnxExport.CalibrationWindows(multispectral, metadata)).Message);
    }
}
