using CnnSentinel.Raster;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tests.Export;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Scenes;

/// <summary>Classifying in bfloat16: the same network's probabilities, to bfloat16's precision; and through classify.</summary>
public class ComputePrecisionTests(ITestOutputHelper output)
{
    /// <summary>
    /// bfloat16 keeps 8 significant bits (a relative error of 0.4 % per value), which deep networks compound: the
    /// probabilities (logits kept under 4, so that they are not all 0 or 1) may differ by this much. Measured: 0.0001
    /// (SceneCnn) and 0.0018 (ResNet18).
    /// </summary>
    const double Tolerance = 0.01;

    [Theory]
    [InlineData("SceneCnn")]
    [InlineData("ResNet18")]
    public void BFloat16GivesTheFloat32ProbabilitiesToItsPrecision(string network)
    {
        using var model = OnnxExportTests.Build(network);
        using var input = torch.rand(8, model.Bands, 64, 64, generator: new Generator(5));
        OnnxExportTests.UnsaturatedProbabilities(model, input, network);
        var windows = WindowModel.For(model);
        using var noGrad = no_grad();
        using var expected = softmax(windows.Logits(input), 1);

        windows.UsePrecision(ComputePrecision.BFloat16);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var logits = windows.Logits(input);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        using var actual = softmax(logits, 1);
        var difference = (actual - expected).abs().max().item<float>();
        output.WriteLine($"{network}: max |p(bfloat16) − p(float32)| = {difference:0.0000}");
        Assert.True(difference <= Tolerance, $"{network}: probabilities differ by {difference} (> {Tolerance}).");
        // Dense mode's parts run in it too.
        if (windows.SupportsDense) Assert.True(windows.FeatureWindow(model.Bands) >= 1);
    }

    [Fact]
    public void ClassifyComputesInBFloat16WhenAskedAndRecordsIt()
    {
        var dir = TestEnvironment.NewTempDirectory();
        try
        {
            var crop = TestRasters.SceneCrop(dir, 400, 300, 192, 128);
            var (code32, out32, err32) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "classify", crop, "--model", ProjectPaths.ShippedRgbModel, "--out", Path.Combine(dir, "float32"), "--stride", "32"]);
            Assert.True(code32 == 0, out32 + err32);
            var (code16, out16, err16) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "classify", crop, "--model", ProjectPaths.ShippedRgbModel, "--out", Path.Combine(dir, "bf16"), "--stride", "32", "--precision", "bf16"]);
            Assert.True(code16 == 0, out16 + err16);

            var record = SceneRunRecord.Read(SceneOutputPaths.For(Path.Combine(dir, "bf16"), crop, allProbabilities: false).Run)!;
            if (CpuPrecision.HasBFloat16)
            {
                Assert.Contains(", in bfloat16;", out16);
                Assert.Equal("BFloat16", record.Settings["precision"]);
            }
            else
            {
                Assert.Contains("no bfloat16 instructions", out16);
                Assert.Equal("Float32", record.Settings["precision"]);
            }
            byte[] Classes(string folder)
            {
                using var map = GdalRaster.Open(SceneOutputPaths.For(Path.Combine(dir, folder), crop, allProbabilities: false).Classes);
                return map.Read(0, 0, map.Width, map.Height).Select(v => (byte)v).ToArray();
            }
            var (a, b) = (Classes("float32"), Classes("bf16"));
            var same = a.Where((v, i) => v == b[i]).Count() / (double)a.Length;
            output.WriteLine($"same class on {same:P2} of the pixels");
            // Measured: 97.98 % (24 windows at stride 32, the shipped model; the bench measures agreement at scale).
            Assert.True(same >= 0.95, $"bfloat16 and float32 maps agree on {same:P2} of the pixels.");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
