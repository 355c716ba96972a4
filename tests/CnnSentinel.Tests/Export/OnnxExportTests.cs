using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Export;
using CnnSentinel.Models;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Export;

/// <summary>ONNX Runtime gives the probabilities TorchSharp gives (eval mode) for every exported network.</summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;

    public static TheoryData<string> Networks =>
        ["SmallCnn", "SceneCnn", "SceneCnnSamePadding", "ResNet18", "ResNet50", "PretrainedResNet18Architecture", "Vgg16", "DenseNet201", "BandAdapter",
         "KnownLayersCnn", "KnownBlocksNetwork"];

    /// <summary>A seeded network with random batch-norm statistics, so that the export of batch norm is really tested.</summary>
    internal static ImageClassifier Build(string name)
    {
        torch.manual_seed(8);
        ImageClassifier model = name switch
        {
            "SmallCnn" => new SmallCnn(),
            "SceneCnn" => new SceneCnn(),
            "SceneCnnSamePadding" => new SceneCnn(samePadding: true),
            "ResNet18" => ResNet.ResNet18(),
            "ResNet50" => ResNet.ResNet50(),
            "PretrainedResNet18Architecture" => WithImageNetScale(ResNet.ResNet18MlNet()),
            "Vgg16" => new Vgg16(),
            "DenseNet201" => new DenseNet201(),
            "BandAdapter" => WithImageNetScale(ResNet.ResNet18MlNet()).AddBandAdapter(13),
            // Architectures the exporters have no code for, built from layers they know.
            "KnownLayersCnn" => new KnownLayersCnn(),
            "KnownBlocksNetwork" => new KnownBlocksNetwork(),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
        using (torch.no_grad())
        {
            foreach (var norm in model.modules().OfType<TorchSharp.Modules.BatchNorm>())
            {
                norm.running_mean!.uniform_(-0.5, 0.5);
                norm.running_var!.uniform_(0.5, 2.0);
                norm.weight!.uniform_(0.5, 1.5);
                norm.bias!.uniform_(-0.2, 0.2);
            }
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// TorchSharp's probabilities for <paramref name="input"/>, after scaling the model's last layer so that no
    /// logit exceeds 4: random deep networks give huge logits and a softmax of 0s and 1s, which would hide any
    /// error in an exported graph (logits = W·x + b scale exactly with W and b). Export after calling this.
    /// </summary>
    internal static float[] UnsaturatedProbabilities(ImageClassifier model, torch.Tensor input, string network)
    {
        using var noGrad = torch.no_grad();
        using (var logits = model.call(input))
        {
            var peak = logits.abs().max().item<float>();
            if (peak > 4)
            {
                var last = model.modules().OfType<Linear>().Last();
                last.weight!.mul_(4 / peak);
                last.bias?.mul_(4 / peak);
            }
        }
        using var probabilities = torch.softmax(model.call(input), 1);
        var values = probabilities.data<float>().ToArray();
        Assert.True(values.Max() < 0.99f, $"{network}: the probabilities are saturated ({values.Max()}), the comparison would prove little.");
        return values;
    }

    // The pretrained ResNet18's architecture with its input standardisation (0…255 RGB in), without its ONNX file.
    static ImageClassifier WithImageNetScale(ImageClassifier model)
    {
        model.SetInputNormalization(new InputNormalization(new ChannelNormalization([123.7, 116.3, 103.5], [58.4, 57.1, 57.4])));
        return model;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void OnnxRuntimeGivesTorchSharpsProbabilities(string network)
    {
        using var model = Build(network);
        var metadata = ExportMetadata.For(model);
        var scale = model.InputNormalization is null ? 1.0 : 255.0;
        using var input = (torch.rand(2, model.Bands, 64, 64, generator: new Generator(9)) * scale).to(ScalarType.Float32);
        var expected = UnsaturatedProbabilities(model, input, network);
        var actual = Run(OnnxExport.ToBytes(model, metadata), input);

        Assert.Equal(expected.Length, actual.Length);
        var difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{network}: max |ONNX Runtime − TorchSharp| = {difference:E2}");
        Assert.True(difference <= Tolerance, $"{network}: probabilities differ by {difference} (> {Tolerance}).");
    }

    /// <summary>
    /// The int8 graph is exactly the network with its first layer weight rounded to float16 and every other convolution
    /// and linear weight rounded as <see cref="Int8Rounding"/> says: ONNX Runtime's probabilities equal TorchSharp's for the
    /// network with those weights, at float tolerance. So the file stores what it says, and nothing else changes. (The
    /// exporter folds each batch norm into the convolution before it first; the rounding is per output channel, and
    /// scaling a channel scales its best scale alike, so folding before or after it gives the same network, to float rounding.)
    /// </summary>
    [Theory]
    [InlineData("ResNet18")]
    [InlineData("BandAdapter")]
    [InlineData("KnownLayersCnn")]
    public void Int8WeightsAreTheNetworkWithPerChannelRoundedWeights(string network)
    {
        using var model = Build(network);
        var scale = model.InputNormalization is null ? 1.0 : 255.0;
        using var input = (torch.rand(2, model.Bands, 64, 64, generator: new Generator(9)) * scale).to(ScalarType.Float32);
        UnsaturatedProbabilities(model, input, network);
        var bytes = OnnxExport.ToBytes(model, ExportMetadata.For(model), OnnxWeights.Int8);

        using (torch.no_grad())
        {
            // Each weight is rounded as the graph holds it: with the batch norm after it folded in, then unfolded here.
            // (For int8 alone that would not matter, were it not for near-ties between the scales tried; float16 steps
            // are relative and do not scale with a channel at all.)
            static IEnumerable<nn.Module> Within(nn.Module module) => module.children().SelectMany(Within).Prepend(module);
            var modules = model.StepsFromInput().SelectMany(step => Within(step.Module)).ToList(); // in the order the exporter writes them
            var layers = modules.Select((m, i) => (Weight: m switch { Conv2d conv => conv.weight, Linear linear => linear.weight, _ => null },
                Next: i + 1 < modules.Count ? modules[i + 1] : null)).Where(l => l.Weight is not null).ToList();
            foreach (var ((weight, next), k) in layers.Select((l, k) => (l, k)))
            {
                using var scope = torch.NewDisposeScope();
                var shape = weight!.shape.Select((_, d) => d == 0 ? -1L : 1L).ToArray();
                var folding = (next is BatchNorm norm && weight.dim() == 4 ? norm.weight! / (norm.running_var! + norm.eps).sqrt() : torch.ones(weight.shape[0])).reshape(shape);
                var folded = (weight * folding).contiguous();
                torch.Tensor rounded;
                if (k == 0) rounded = folded.to(torch.ScalarType.Float16).to(torch.ScalarType.Float32);
                else
                {
                    var (values, scales) = Int8Rounding.PerOutputChannel(folded);
                    rounded = values.to(torch.ScalarType.Float32) * scales.reshape(shape);
                }
                weight.copy_(rounded / folding);
            }
        }
        using var expected = torch.softmax(model.call(input), 1);
        var actual = Run(bytes, input);

        var difference = expected.data<float>().ToArray().Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{network}: max |ONNX Runtime int8 − TorchSharp with rounded weights| = {difference:E2}");
        Assert.True(difference <= Tolerance, $"{network}: probabilities differ by {difference} (> {Tolerance}).");
    }

    /// <summary>
    /// The shipped model as the page gets it — int8 weights, and with uint8 activations too, calibrated on 100 of the
    /// bundled patches (10 per class) — against its float32 export, on every bundled EuroSAT patch: a file under 30 % of
    /// the size, the same label on at least 99 % of the patches, probabilities off by 0.002 on average and by 0.15 at most
    /// (measured: 498 of the 500 bundled patches, 0.0004 and 0.06 for int8 weights; 498, 0.0005 and 0.09 with uint8
    /// activations); the metadata says what is stored. (The full mosaic's agreement is a bench figure: <c>bench web-model</c>.)
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Int8ShippedModelKeepsTheFloat32Labels(bool uint8Activations)
    {
        var (model, description) = ModelFile.Load(ProjectPaths.ShippedRgbModel);
        using var _ = model;
        var metadata = ExportMetadata.For(description);
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        using var calibration = uint8Activations ? OnnxExport.CalibrationWindows(dataset, metadata, count: 100) : null;
        var float32 = OnnxExport.ToBytes(model, metadata);
        var int8 = OnnxExport.ToBytes(model, metadata, OnnxWeights.Int8, calibration);
        using var images = dataset.ReadImages(dataset.Samples);
        using var input = metadata.Preprocessing.Apply(images).contiguous();

        var reference = Run(float32, input);
        var light = Run(int8, input);
        var classes = model.Classes;
        int Label(float[] p, int i) => Enumerable.Range(0, classes).MaxBy(c => p[i * classes + c]);
        var patches = dataset.Samples.Count;
        var same = Enumerable.Range(0, patches).Count(i => Label(reference, i) == Label(light, i));
        var differences = reference.Zip(light, (a, b) => Math.Abs(a - b)).ToList();
        var difference = differences.Max();
        output.WriteLine($"int8 {int8.Length} bytes vs float32 {float32.Length}; same label on {same} of {patches} patches; max |Δp| = {difference:0.0000}, mean {differences.Average():0.00000}, over 0.05: {differences.Count(d => d > 0.05)}");
        Assert.True(int8.Length < 0.3 * float32.Length, $"int8 file {int8.Length} bytes vs float32 {float32.Length}.");
        Assert.True(same >= 0.99 * patches, $"same label on {same} of {patches} patches.");
        Assert.True(differences.Average() <= 0.002 && difference <= 0.15, $"probabilities differ by {differences.Average()} on average, {difference} at most.");
        using var session = new InferenceSession(int8);
        Assert.Equal("int8", session.ModelMetadata.CustomMetadataMap[OnnxExport.WeightsProperty]);
        Assert.Equal(uint8Activations ? "uint8" : "float32", session.ModelMetadata.CustomMetadataMap[OnnxExport.ActivationsProperty]);
    }

    internal static float[] Run(byte[] onnx, torch.Tensor input)
    {
        using var session = new InferenceSession(onnx);
        var feed = new DenseTensor<float>(input.data<float>().ToArray(), [.. input.shape.Select(d => (int)d)]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, feed)]);
        return results.Single(r => r.Name == OnnxExport.OutputName).AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void MetadataTravelsWithTheModel()
    {
        using var model = Build("SceneCnn");
        using var folder = new CnnSentinel.Tests.Models.TemporaryFolder();
        var path = folder.NewPath("model.onnx");
        OnnxExport.Save(model, path, ExportMetadata.For(model, ChannelNormalization.OriginalRgb));

        using var session = new InferenceSession(path);
        var properties = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("""["B04","B03","B02"]""", properties["band_names"]);
        Assert.Contains("\"AnnualCrop\"", properties["class_names"]);
        Assert.Equal("[87.845,96.965,103.947]", properties["mean"]);
        Assert.Equal("64", properties["input_size"]);
        Assert.Equal(JsonSerializer.Serialize(ClassLegend.EuroSat.Classes.Select(c => new[] { c.Color.R, c.Color.G, c.Color.B }.Select(v => (int)v))),
            properties["class_colors"]); // the page paints what the maps paint
        var masks = JsonNode.Parse(properties["masks"])!.AsArray();
        Assert.Equal(ClassLegend.Masks.Select(m => m.Name), masks.Select(m => (string)m!["name"]!));
        var uncertain = masks.Single(m => (int)m!["value"]! == (int)MapMask.Uncertain)!;
        var colour = ClassLegend.Masks.Single(m => m.Value == (int)MapMask.Uncertain).Color;
        Assert.Equal([colour.R, colour.G, colour.B], uncertain["color"]!.AsArray().Select(v => (byte)(int)v!));
        Assert.Equal([-1, 3, 64, 64], session.InputMetadata[OnnxExport.InputName].Dimensions);
        Assert.Equal("float32", properties[OnnxExport.WeightsProperty]);

        // How classify reads each product, for the page: a Level-2A TCI fed unconverted, its reflectance 0.2 at 255;
        // Level-2A band values converted with the path reflectance; and the cloud test on inputs 0, 1, 2.
        var radiometry = JsonNode.Parse(properties["radiometry"])!;
        Assert.Equal(["EuroSat", "TciL1C", "TciL2A", "L1C", "L2A"], radiometry.AsObject().Select(p => p.Key));
        var tci = radiometry["TciL2A"]!;
        Assert.Equal([1f, 1f, 1f], tci["gain"]!.AsArray().Select(v => (float)v!));
        Assert.Null(tci["maximum"]);
        Assert.All(tci["reflectance_gain"]!.AsArray(), v => Assert.Equal(0.2f / 255, (float)v!));
        var bands = SceneRadiometry.For(SceneProduct.L2A, ["B04", "B03", "B02"]);
        Assert.Equal(bands.Offset, radiometry["L2A"]!["offset"]!.AsArray().Select(v => (float)v!));
        Assert.Equal(255f, (float)radiometry["L2A"]!["maximum"]!);
        var cloudTest = JsonNode.Parse(properties["cloud_test"])!;
        Assert.Equal([0, 1, 2], cloudTest["rgb"]!.AsArray().Select(v => (int)v!));
        Assert.Equal([3, 4, 7], cloudTest["spared_classes"]!.AsArray().Select(v => (int)v!)); // Highway, Industrial, Residential
        Assert.Equal(9, (int)cloudTest["core_size"]!);
    }

    [Fact]
    public void ThePageReadsEuroSatsRgbReleaseAsSentinelBandsAndOtherBandsNotAtAll()
    {
        using var model = Build("SceneCnn");
        var rgbRelease = ExportMetadata.For(model, ChannelNormalization.OriginalRgb) with { BandNames = ["R", "G", "B"] };
        Assert.Equal("[0,1,2]", JsonNode.Parse(rgbRelease.ToProperties()["cloud_test"])!["rgb"]!.ToJsonString());
        var otherBands = rgbRelease with { BandNames = ["B08", "B04", "B03"] };
        Assert.False(otherBands.ToProperties().ContainsKey("radiometry"));
        Assert.False(otherBands.ToProperties().ContainsKey("cloud_test"));
    }

    [Fact]
    public void AModuleItCannotTranslateIsNamed()
    {
        // torchvision's VGG16 head pools adaptively to 7 × 7, which ONNX has no operator for.
        using var model = new Vgg16(head: ClassifierHead.TorchVision);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, ExportMetadata.For(model)));
        Assert.Contains("avgpool", error.Message);
        Assert.Contains("AdaptiveAvgPool2d", error.Message);
    }

    [Fact]
    public void AnUnknownLayerIsRefusedByNameAndType()
    {
        using var model = new KnownLayersCnn(activation: () => nn.LeakyReLU());
        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, ExportMetadata.For(model)));
        Assert.Contains("'features.0.2'", error.Message);
        Assert.Contains(nameof(LeakyReLU), error.Message);
    }
}
