using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using CnnSentinel.Tests.Models;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Transforms;

public class PreprocessingTests(TemporaryFolder folder) : IClassFixture<TemporaryFolder>
{
    /// <summary>The description JSON of a model file, as stored (read here without the library's reader).</summary>
    static JsonObject StoredDescription(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!;
        return JsonNode.Parse(header["__metadata__"]![ModelFile.MetadataKey]!.GetValue<string>())!.AsObject();
    }

    /// <summary>The fast recipe's model file in data/models, written in version 1 (the shipped model continues it).</summary>
    static string Version1ModelFile => Path.Combine(ProjectPaths.Root, "data", "models", "resnet18-imagenet_rgb_fast.safetensors");

    [Fact]
    public void TheCommittedVersion1ModelFileGivesTheSameStagesAndTensorsAsItsStoredLists()
    {
        var stored = StoredDescription(Version1ModelFile);
        Assert.Equal(1, stored["FormatVersion"]!.GetValue<int>());
        var inputMean = stored["InputMean"].Deserialize<float[]>()!;
        var inputStd = stored["InputStd"].Deserialize<float[]>()!;
        var normalization = stored["Normalization"]!;

        var preprocessing = ModelFile.ReadDescription(Version1ModelFile).Preprocessing;
        Assert.Equal(normalization["Mean"].Deserialize<double[]>(), preprocessing.Input.Mean);
        Assert.Equal(normalization["Std"].Deserialize<double[]>(), preprocessing.Input.Std);
        var network = new InputNormalization(preprocessing.Network!);
        Assert.Equal(inputMean, network.Mean);
        Assert.Equal(inputStd, network.Std);

        // What version 1's module computed from the stored single-precision lists.
        manual_seed(4);
        var x = rand(2, 3, 64, 64) * 255;
        using var before = (x - tensor(inputMean).reshape(1, -1, 1, 1)).div_(tensor(inputStd).reshape(1, -1, 1, 1));
        TensorAssert.Identical(before, network.forward(x), "the network stage");
        var (model, _) = ModelFile.Load(Version1ModelFile);
        using var _ = model;
        Assert.Equal(inputMean, model.InputNormalization!.Mean);
    }

    [Fact]
    public void EveryCommittedVersion1DescriptionReadsIntoTheSameNumbers()
    {
        var results = Path.Combine(ProjectPaths.Root, "data", "results");
        var read = ResultsTable.Read(results).ToDictionary(r => r.Name, r => r.Description.Preprocessing);
        Assert.NotEmpty(read);
        var version1 = Directory.GetFiles(results, "*" + ResultsTable.DescriptionExtension)
            .Where(path => JsonNode.Parse(File.ReadAllText(path))!["FormatVersion"]?.GetValue<int>() is null or 1).ToList();
        Assert.NotEmpty(version1);
        foreach (var path in version1)
        {
            var stored = JsonNode.Parse(File.ReadAllText(path))!;
            var preprocessing = read[Path.GetFileName(path)[..^ResultsTable.DescriptionExtension.Length]];
            Assert.Equal(stored["Normalization"]!["Mean"].Deserialize<double[]>(), preprocessing.Input.Mean);
            Assert.Equal(stored["Normalization"]!["Std"].Deserialize<double[]>(), preprocessing.Input.Std);
            if (stored["InputMean"] is JsonArray mean)
            {
                Assert.Equal(mean.Deserialize<float[]>(), preprocessing.Network!.ToFloats().Mean);
                Assert.Equal(stored["InputStd"].Deserialize<float[]>(), preprocessing.Network.ToFloats().Std);
            }
            else Assert.Null(preprocessing.Network);
        }
    }

    [Fact]
    public void AModelFileStoresBothStagesInTheCurrentLayoutAndReadsThemBackExactly()
    {
        using var model = ModelCatalog.PretrainedResNet18(10, 13, BandAdaptation.Adapter);
        var preprocessing = model.PreprocessingWith(ChannelNormalization.PretrainedScaleFor(PatchFormat.Multispectral));
        Assert.Equal(13, preprocessing.Bands);
        Assert.Equal(3, preprocessing.Network!.Bands); // the backbone's, after the adapter
        var description = new ModelDescription(ModelCatalog.PretrainedResNet18Architecture, BandAdaptation.Adapter,
            SentinelBands.Names, EuroSatClasses.Names, preprocessing, 64, null);
        var path = folder.NewPath("adapter.safetensors");
        ModelFile.Save(model, path, description);

        var stored = StoredDescription(path);
        Assert.Equal(ModelDescription.CurrentFormatVersion, stored["FormatVersion"]!.GetValue<int>());
        Assert.Null(stored["Normalization"]);
        Assert.Null(stored["InputMean"]);
        var (loaded, read) = ModelFile.Load(path);
        using var _ = loaded;
        Assert.Equal(preprocessing.Input.Mean, read.Preprocessing.Input.Mean);
        Assert.Equal(preprocessing.Input.Std, read.Preprocessing.Input.Std);
        Assert.Equal(preprocessing.Network.Mean, read.Preprocessing.Network!.Mean);
        Assert.Equal(preprocessing.Network.Std, read.Preprocessing.Network.Std);
        Assert.Equal(((BandAdapter)model).Backbone.InputNormalization!.Mean, ((BandAdapter)loaded).Backbone.InputNormalization!.Mean);
    }

    [Fact]
    public void ANewerLayoutIsRefusedWithItsVersion()
    {
        var json = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(ProjectPaths.Root, "data", "results"), "*" + ResultsTable.DescriptionExtension)[0]))!;
        json["FormatVersion"] = ModelDescription.CurrentFormatVersion + 1;
        var dir = Directory.CreateDirectory(folder.NewPath("newer")).FullName;
        File.WriteAllText(Path.Combine(dir, "run" + ResultsTable.DescriptionExtension), json.ToJsonString());
        Assert.Contains($"model format {ModelDescription.CurrentFormatVersion + 1}", Assert.Throws<InvalidDataException>(() => ResultsTable.Read(dir)).Message);
    }

    [Fact]
    public void InvalidConstantsAreRefusedWhenBuilt()
    {
        Assert.Throws<UserErrorException>(() => new ChannelNormalization([0, 0], [1]));
        Assert.Throws<UserErrorException>(() => new ChannelNormalization([0], [0]));
        Assert.Throws<UserErrorException>(() => new ChannelNormalization([0], [double.NaN]));
    }

    [Fact]
    public void TheSceneClassifierAppliesTheInputStageOnceAndLeavesTheNetworkStageToTheNetwork()
    {
        // A 1×1 window network with its own normalisation: each pixel's probabilities must be those of the network run
        // on that pixel prepared by the input stage alone, whatever the network stage does.
        manual_seed(5);
        var preprocessing = new Preprocessing(new ChannelNormalization([80, 90, 100], [20, 15, 12]), new ChannelNormalization([0.5, -0.25, 1], [2, 4, 0.5]));
        var network = new SmallCnn(10, 3);
        network.SetInputNormalization(new InputNormalization(preprocessing.Network!));
        network.eval();
        var crop = TestRasters.SceneCrop(TestEnvironment.NewTempDirectory(), 500, 500, 64, 64);
        var options = new SceneClassifierOptions(preprocessing, ClassificationMode.Naive, Stride: 64, KeepAllProbabilities: true);
        using var raster = GdalRaster.Open(crop);
        var block = Assert.Single(new SceneClassifier(WindowModel.FromModule(network, 64), options).Classify(raster));

        var raw = tensor(raster.Read(0, 0, 64, 64, [1, 2, 3]), [3, 64, 64]);
        using var noGrad = no_grad();
        var expected = nn.functional.softmax(network.forward(preprocessing.Apply(raw).unsqueeze(0)), 1)[0];
        var centre = 32 * 64 + 32;
        var actual = Enumerable.Range(0, 10).Select(k => block.Probabilities![k * 64 * 64 + centre]).ToArray();
        Assert.Equal(expected.data<float>().ToArray(), actual);
    }
}
