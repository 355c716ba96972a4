using CnnSentinel.Models;
using CnnSentinel.Models.Pretrained;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models.Pretrained;

/// <summary>The imported ImageNet ResNet18 computes what OnnxRuntime computes with the original ONNX file.</summary>
public class ImageNetResNet18Tests(TemporaryFolder cache, ITestOutputHelper output) : IClassFixture<TemporaryFolder>
{
    [Fact]
    public void FeaturesMatchOnnxRuntimeOnTheSamePreprocessedImage()
    {
        using var model = ImageNetResNet18.Load(classes: 0, normalizeInput: false, cacheRoot: cache.Root);
        model.eval();
        torch.manual_seed(5);
        using var rgb = torch.rand(2, 3, 224, 224) * 255;
        using var meanImage = ImageNetResNet18.MeanImage();
        using var prepared = rgb - meanImage; // RGB order; the ONNX network reads the same image in BGR order

        float[] expected = RunOnnx(prepared.flip(1));
        using var noGrad = torch.no_grad();
        using var features = model.call(prepared);
        Assert.Equal([2L, 512L], features.shape);
        using var reference = torch.tensor(expected, features.shape);
        var difference = (features - reference).abs().max().item<float>();
        output.WriteLine($"max abs feature difference {difference:E2}, largest feature {reference.abs().max().item<float>():F3}");
        Assert.InRange(difference, 0, 1e-3);
    }

    [Fact]
    public void TheLoadedModelSubtractsTheChannelMeanItself()
    {
        using var normalizing = ImageNetResNet18.Load(classes: 0, cacheRoot: cache.Root);
        using var prepared = ImageNetResNet18.Load(classes: 0, normalizeInput: false, cacheRoot: cache.Root);
        normalizing.eval();
        prepared.eval();
        Assert.DoesNotContain(normalizing.state_dict().Keys, k => k.StartsWith("input_normalization", StringComparison.Ordinal));
        Assert.Equal(prepared.state_dict().Keys, normalizing.state_dict().Keys);
        var mean = torch.tensor(ImageNetResNet18.ChannelMean().ToArray()).reshape(1, 3, 1, 1);
        using var noGrad = torch.no_grad();
        using var rgb = torch.rand(2, 3, 64, 64) * 255;
        Assert.True(normalizing.call(rgb).allclose(prepared.call(rgb - mean), rtol: 0, atol: 0));
    }

    [Fact]
    public void TheConversionRunsOnceAndIsReused()
    {
        using (ImageNetResNet18.Load(cacheRoot: cache.Root)) { }
        var converted = Assert.Single(Directory.GetFiles(Path.Combine(cache.Root, "models")));
        var written = File.GetLastWriteTimeUtc(converted);
        using var model = ImageNetResNet18.Load(classes: 10, cacheRoot: cache.Root);
        Assert.Equal(written, File.GetLastWriteTimeUtc(converted));
        Assert.Single(Directory.GetFiles(Path.Combine(cache.Root, "models")));
        Assert.Equal(10, model.Classes);
    }

    [Fact]
    public void TheChannelMeanIsTheMeanImagesAverageInRgbOrder()
    {
        var mean = ImageNetResNet18.ChannelMean();
        Assert.Equal(3, mean.Count);
        Assert.InRange(mean[0], 122, 125); // R
        Assert.InRange(mean[1], 114, 118); // G
        Assert.InRange(mean[2], 102, 105); // B
        using var normalization = new InputNormalization(ImageNetResNet18.Normalization());
        using var white = torch.full(1, 3, 32, 32, 255f);
        using var normalized = normalization.call(white);
        Assert.Equal(255 - mean[0], normalized[0, 0, 0, 0].item<float>(), 3);
    }

    [Fact]
    public void AFileThatIsNotOnnxIsReportedByName()
    {
        var path = cache.NewPath("not-a-model.onnx");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02]);
        var error = Assert.Throws<InvalidDataException>(() => ImageNetResNet18.Load(onnxPath: path, cacheRoot: cache.Root));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void ATruncatedOnnxFileIsReportedByName()
    {
        var path = cache.NewPath("truncated.onnx");
        using (var original = File.OpenRead(ImageNetResNet18.Locate(ImageNetResNet18.NetworkFile)))
        using (var copy = File.Create(path))
        {
            var head = new byte[1 << 20];
            original.ReadExactly(head);
            copy.Write(head);
        }
        var error = Assert.Throws<InvalidDataException>(() => OnnxReader.Read(path));
        Assert.StartsWith($"{path} is not a readable ONNX model", error.Message);
    }

    static float[] RunOnnx(torch.Tensor bgr)
    {
        using var session = new InferenceSession(ImageNetResNet18.Locate(ImageNetResNet18.NetworkFile));
        var inputName = session.InputMetadata.Keys.Single();
        var batch = (int)bgr.shape[0];
        var features = new List<float>();
        for (var i = 0; i < batch; i++) // the exported graph has batch size 1
        {
            var image = new DenseTensor<float>(bgr[i].contiguous().data<float>().ToArray(), [1, 3, 224, 224]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, image)]);
            features.AddRange(results.Single().AsTensor<float>().ToArray());
        }
        return features.ToArray();
    }
}
