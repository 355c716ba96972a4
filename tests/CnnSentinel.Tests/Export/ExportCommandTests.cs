using CnnSentinel.Export;
using CnnSentinel.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;

namespace CnnSentinel.Tests.Export;

/// <summary>The export command: without --model it exports the shipped RGB model, which the map page then loads by default.</summary>
public class ExportCommandTests
{
    [Fact]
    public void WithoutAModelItExportsTheShippedOne()
    {
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            // The command finds the checkout (ProjectPaths.Root) from the tests' folder inside it.
            ExternalTools.Run("dotnet", ExternalTools.Cli, "export", "--to", folder, "--no-page");
            var (shipped, description) = ModelFile.Load(ProjectPaths.ShippedRgbModel);
            using var _ = shipped;
            shipped.eval();

            using var session = new InferenceSession(Path.Combine(folder, "model.onnx"));
            Assert.Equal(ExportMetadata.For(description).ToProperties(), session.ModelMetadata.CustomMetadataMap);
            // The same network: the same probabilities for a window of random 0…255 pixels.
            torch.manual_seed(3);
            using var window = torch.rand(1, 3, 64, 64) * 255;
            using var noGrad = torch.no_grad();
            using var expected = torch.softmax(shipped.call(window), 1);
            var input = new DenseTensor<float>(window.data<float>().ToArray(), [1, 3, 64, 64]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)]);
            var actual = outputs.Single().AsEnumerable<float>().ToArray();
            var difference = expected.data<float>().ToArray().Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.True(difference <= 1e-4, $"the exported model's probabilities differ from the shipped model's by {difference}.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
