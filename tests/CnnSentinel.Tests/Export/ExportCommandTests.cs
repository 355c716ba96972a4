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
            var printed = ExternalTools.Run("dotnet", ExternalTools.Cli, "export", "--to", folder, "--no-page");
            Assert.Matches(@"^export: .*model\.onnx \(float32 weights, [0-9.]+ MB\)$", printed.Trim());
            var (shipped, description) = ModelFile.Load(ProjectPaths.ShippedRgbModel);
            using var _ = shipped;
            shipped.eval();

            using var session = new InferenceSession(Path.Combine(folder, "model.onnx"));
            Assert.Equal(new Dictionary<string, string>(ExportMetadata.For(description).ToProperties())
                { [OnnxExport.WeightsProperty] = "float32", [OnnxExport.ActivationsProperty] = "float32" },
                session.ModelMetadata.CustomMetadataMap);
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

    /// <summary>
    /// With the page, the model the browser downloads has int8 weights and uint8 activations calibrated on the bundled
    /// sample (the command says so); --activations float32 keeps int8 weights alone, --weights float32 the exact model, and
    /// uint8 activations with float32 weights or calibration patches of other bands are refused with a message.
    /// </summary>
    [SkippableFact]
    public void WithThePageTheModelIsInt8UnlessToldOtherwise()
    {
        Skip.IfNot(Directory.Exists(Path.Combine(TestEnvironment.RepositoryRoot, "web", "vendor")), "the page's libraries are not vendored: run scripts/setup.sh web.");
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            var printed = ExternalTools.Run("dotnet", ExternalTools.Cli, "export", "--to", folder);
            Assert.Matches(@"^export: .*index\.html with .*model\.onnx \(int8 weights, uint8 activations calibrated on 500 patches of .*data/eurosat-rgb, [0-9.]+ MB\); serve it: cnnsentinel serve ", printed.Trim());
            var int8 = new FileInfo(Path.Combine(folder, "model.onnx")).Length;
            using (var session = new InferenceSession(Path.Combine(folder, "model.onnx")))
            {
                Assert.Equal("int8", session.ModelMetadata.CustomMetadataMap[OnnxExport.WeightsProperty]);
                Assert.Equal("uint8", session.ModelMetadata.CustomMetadataMap[OnnxExport.ActivationsProperty]);
            }

            Assert.Matches(@"\(int8 weights, [0-9.]+ MB\)", ExternalTools.Run("dotnet", ExternalTools.Cli, "export", "--to", folder, "--activations", "float32"));
            using (var session = new InferenceSession(Path.Combine(folder, "model.onnx")))
                Assert.Equal("float32", session.ModelMetadata.CustomMetadataMap[OnnxExport.ActivationsProperty]);
            Assert.Contains("(float32 weights, ", ExternalTools.Run("dotnet", ExternalTools.Cli, "export", "--to", folder, "--weights", "float32"));
            Assert.True(new FileInfo(Path.Combine(folder, "model.onnx")).Length > 3.5 * int8);

            var (code, _, error) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "export", "--to", folder, "--weights", "float32", "--activations", "uint8"]);
            Assert.Equal(1, code);
            Assert.Contains("--activations uint8 needs --weights int8", error);
            var multispectral = Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-ms");
            (code, _, error) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "export", "--to", folder, "--calibration", multispectral]);
            Assert.Equal(1, code);
            Assert.Contains($"--calibration {multispectral} holds 13-band patches; the model reads 3 bands.", error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
