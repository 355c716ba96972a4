using System.Text.Json;
using CnnSentinel.Datasets;
using CnnSentinel.Models;
using CnnSentinel.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

public class ModelFileTests(TemporaryFolder folder) : IClassFixture<TemporaryFolder>
{
    internal static readonly IReadOnlyList<string> RgbBands = SentinelBands.For(PatchFormat.Rgb);

    internal static ModelDescription Describe(ImageClassifier model, string architecture, IReadOnlyList<string>? bands = null) => new(
        architecture, null, bands ?? RgbBands, CnnSentinel.Datasets.EuroSatClasses.Names, model.PreprocessingWith(ChannelNormalization.OriginalForBands((bands ?? RgbBands).Count)), 64,
        new TrainingProvenance("fast: test", 42, 64, 3, 1234, 56.5, "test machine",
            new DataIdentity("eurosat-rgb", 500, new string('a', 64), 0.3, 350, 150),
            new ValidationFigures(0.875, 0.86, 150, true)));

    static string Json(ModelDescription d) => JsonSerializer.Serialize(d);

    [Fact]
    public void KeepsTheDescriptionAndTheWeights()
    {
        manual_seed(1);
        using var model = new SmallCnn(10, 3);
        var description = Describe(model, "smallcnn");
        var path = folder.NewPath("small.safetensors");
        ModelFile.Save(model, path, description);

        Assert.True(ModelFile.HasDescription(path));
        Assert.Equal(Json(description), Json(ModelFile.ReadDescription(path)));
        var (loaded, read) = ModelFile.Load(path);
        using var _ = loaded;
        Assert.IsType<SmallCnn>(loaded);
        Assert.Equal(Json(description), Json(read));
        TensorAssert.SameState(model, loaded);
    }

    [Fact]
    public void RebuildsThePretrainedNetworkWithItsOwnInputNormalisation()
    {
        manual_seed(2);
        using var model = ModelCatalog.PretrainedResNet18(10);
        model.eval();
        var path = folder.NewPath("resnet.safetensors");
        ModelFile.Save(model, path, Describe(model, ModelCatalog.PretrainedResNet18Architecture));
        var (loaded, description) = ModelFile.Load(path);
        using var _ = loaded;
        Assert.Equal(model.InputNormalization!.Normalization.Mean, description.Preprocessing.Network!.Mean);
        var x = rand(2, 3, 64, 64) * 255;
        using (no_grad()) TensorAssert.Identical(model.forward(x), loaded.forward(x), "logits after the round trip");
    }

    [Fact]
    public void HalfStorageHalvesTheFileAndKeepsTheOutputsClose()
    {
        manual_seed(3);
        using var model = new SmallCnn(10, 3);
        model.eval();
        string full = folder.NewPath("full.safetensors"), half = folder.NewPath("half.safetensors");
        ModelFile.Save(model, full, Describe(model, "smallcnn"));
        ModelFile.Save(model, half, Describe(model, "smallcnn"), half: true);
        Assert.InRange(new FileInfo(half).Length, new FileInfo(full).Length * 0.45, new FileInfo(full).Length * 0.55);
        var (loaded, _) = ModelFile.Load(half);
        using var __ = loaded;
        Assert.All(loaded.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var x = randn(4, 3, 64, 64);
        using (no_grad()) Assert.True(model.forward(x).allclose(loaded.forward(x), rtol: 1e-2, atol: 1e-2));
    }

    [Fact]
    public void RoundingToHalfGivesExactlyTheStoredWeights()
    {
        manual_seed(6);
        using var model = new SmallCnn(10, 3);
        var path = folder.NewPath("rounded.safetensors");
        ModelFile.Save(model, path, Describe(model, "smallcnn"), half: true);
        ModelFile.RoundToHalf(model);
        var (loaded, _) = ModelFile.Load(path);
        using var _ = loaded;
        TensorAssert.SameState(model, loaded);
    }

    [Fact]
    public void AnyPythonSafetensorsReaderSeesTheWeightsAndTheDescription()
    {
        manual_seed(4);
        using var model = new SmallCnn(10, 3);
        var path = folder.NewPath("python.safetensors");
        ModelFile.Save(model, path, Describe(model, "smallcnn"));
        // The safetensors layout read by hand: 8-byte header length, JSON header, then the tensor bytes.
        var output = ExternalTools.Run("/usr/bin/python3", "-c", """
            import json, struct, sys
            data = open(sys.argv[1], 'rb').read()
            n = struct.unpack('<Q', data[:8])[0]
            header = json.loads(data[8:8 + n])
            meta = header.pop('__metadata__')
            end = max(v['data_offsets'][1] for v in header.values())
            print(len(header), 8 + n + end == len(data), n % 8, meta['format'], json.loads(meta['cnnsentinel.model'])['Architecture'])
            """, path);
        Assert.Equal($"{model.state_dict().Count} True 0 pt smallcnn", output.Trim());
    }

    [Fact]
    public void ABareStateDictIsNamedAsSuch()
    {
        using var model = new SmallCnn(10, 3);
        var path = folder.NewPath("bare.safetensors");
        StateDictFile.Save(model, path);
        Assert.False(ModelFile.HasDescription(path));
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.ReadDescription(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("bare state dict", error.Message);
    }

    [Fact]
    public void TheDescriptionMustFitTheNetwork()
    {
        using var model = new SmallCnn(10, 13);
        var error = Assert.Throws<ArgumentException>(() => ModelFile.Save(model, folder.NewPath("x.safetensors"), Describe(model, "smallcnn")));
        Assert.Contains("3 bands", error.Message);
    }
}
