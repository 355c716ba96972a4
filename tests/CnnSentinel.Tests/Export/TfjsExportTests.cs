using System.Text.Json;
using CnnSentinel.Export;
using CnnSentinel.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Export;

/// <summary>@tensorflow/tfjs in Node gives the probabilities TorchSharp gives for every network exported as a TF.js LayersModel.</summary>
public class TfjsExportTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;
    static readonly string Web = Path.Combine(TestEnvironment.RepositoryRoot, "web");

    public static TheoryData<string> Networks => ["SmallCnn", "SceneCnn", "SceneCnnSamePadding", "Vgg16", "KnownLayersCnn"];

    [SkippableTheory]
    [MemberData(nameof(Networks))]
    public void TensorFlowJsGivesTorchSharpsProbabilities(string network)
    {
        Skip.IfNot(Directory.Exists(Path.Combine(Web, "node_modules", "@tensorflow", "tfjs")), "@tensorflow/tfjs is missing: run scripts/setup.sh web.");
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            using var model = OnnxExportTests.Build(network);
            using var input = torch.rand(2, 3, 64, 64, generator: new Generator(9));
            var expected = OnnxExportTests.UnsaturatedProbabilities(model, input, network);
            TfjsExport.Save(model, folder, ExportMetadata.For(model));
            using var channelsLast = input.permute(0, 2, 3, 1).contiguous();
            var inputPath = Path.Combine(folder, "input.json");
            File.WriteAllText(inputPath, JsonSerializer.Serialize(new { shape = new[] { 2, 64, 64, 3 }, data = channelsLast.data<float>().ToArray() }));

            var (code, stdout, stderr) = ExternalTools.Capture("node", [Path.Combine(Web, "test", "run-tfjs-model.mjs"), folder, inputPath]);
            Assert.True(code == 0, $"TF.js failed ({code}): {stderr}");
            var actual = JsonSerializer.Deserialize<float[]>(stdout)!;

            Assert.Equal(expected.Length, actual.Length);
            var difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            output.WriteLine($"{network}: max |TF.js − TorchSharp| = {difference:E2}");
            Assert.True(difference <= Tolerance, $"{network}: probabilities differ by {difference} (> {Tolerance}).");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AResidualNetworkIsRefusedByName()
    {
        using var model = ResNet.ResNet18();
        var error = Assert.Throws<NotSupportedException>(() => TfjsExport.Save(model, Path.GetTempPath(), ExportMetadata.For(model)));
        Assert.Contains("ResNet18", error.Message);
    }

    [Fact]
    public void AnUnknownLayerIsRefusedByNameAndType()
    {
        using var model = new KnownLayersCnn(activation: () => nn.LeakyReLU());
        var error = Assert.Throws<NotSupportedException>(() => TfjsExport.Save(model, Path.GetTempPath(), ExportMetadata.For(model)));
        Assert.Contains("'features.0.2'", error.Message);
        Assert.Contains("LeakyReLU", error.Message);
    }
}
