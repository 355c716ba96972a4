using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Models;
using TorchSharp;

namespace CnnSentinel.Tests.Reliability;

/// <summary>
/// Issue 28, rows 6 and 7: damaged or hand-edited model descriptions and split manifests are refused on load with one line
/// naming the file and the field or line, in the library and through every command that reads them.
/// </summary>
public sealed class DamagedFilesTests
{
    static readonly string RgbData = Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb");

    /// <summary>A small model file whose safetensors header <paramref name="edit"/> changed (the tensors stay where they are).</summary>
    static string ModelWithHeader(string folder, string name, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, name + ".safetensors");
        torch.manual_seed(1);
        using var model = new SmallCnn(10, 3);
        ModelFile.Save(model, path, Models.ModelFileTests.Describe(model, "smallcnn"));
        var bytes = File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        edit(header);
        var text = Encoding.UTF8.GetBytes(header.ToJsonString());
        var result = new byte[8 + text.Length + bytes.Length - 8 - length];
        BinaryPrimitives.WriteInt64LittleEndian(result, text.Length);
        text.CopyTo(result, 8);
        bytes.AsSpan(8 + length).CopyTo(result.AsSpan(8 + text.Length));
        File.WriteAllBytes(path, result);
        return path;
    }

    /// <summary>An edit of the description inside the header.</summary>
    static Action<JsonObject> Description(Action<JsonObject> edit) => header =>
    {
        var metadata = header["__metadata__"]!.AsObject();
        var description = JsonNode.Parse(metadata[ModelFile.MetadataKey]!.GetValue<string>())!.AsObject();
        edit(description);
        metadata[ModelFile.MetadataKey] = description.ToJsonString();
    };

    public static TheoryData<string, string> DamagedDescriptions => new()
    {
        { "version-text", "field FormatVersion" },
        { "version-fraction", "field FormatVersion" },
        { "metadata-array", "field __metadata__" },
        { "metadata-object", $"field __metadata__.{ModelFile.MetadataKey}" },
        { "no-architecture", "field Architecture" },
        { "unknown-architecture", "field Architecture" },
        { "no-preprocessing", "field Preprocessing" },
        { "no-bands", "field Bands" },
        { "patch-0", "field PatchSize" },
        { "patch-negative", "field PatchSize" },
        { "patch-1", "field PatchSize" },
        { "patch-100000", "field PatchSize" },
    };

    static Action<JsonObject> Damage(string kind) => kind switch
    {
        "version-text" => Description(d => d["FormatVersion"] = "2"),
        "version-fraction" => Description(d => d["FormatVersion"] = 2.5),
        "metadata-array" => h => h["__metadata__"] = new JsonArray(1, 2),
        "metadata-object" => h => h["__metadata__"]![ModelFile.MetadataKey] = new JsonObject { ["Architecture"] = "smallcnn" },
        "no-architecture" => Description(d => d["Architecture"] = null),
        "unknown-architecture" => Description(d => d["Architecture"] = "nosuchnet"),
        "no-preprocessing" => Description(d => d["Preprocessing"] = null),
        "no-bands" => Description(d => d["Bands"] = null),
        "patch-0" => Description(d => d["PatchSize"] = 0),
        "patch-negative" => Description(d => d["PatchSize"] = -64),
        "patch-1" => Description(d => d["PatchSize"] = 1),
        "patch-100000" => Description(d => d["PatchSize"] = 100000),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(DamagedDescriptions))]
    public void ADamagedDescriptionIsRefusedNamingTheFileAndTheField(string kind, string field)
    {
        var path = ModelWithHeader(TestEnvironment.NewTempDirectory(), kind, Damage(kind));
        Assert.True(ModelFile.HasDescription(path));
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.ReadDescription(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(field, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("patch-1", "classify", "field PatchSize")]
    [InlineData("version-text", "export", "field FormatVersion")]
    [InlineData("no-bands", "train", "field Bands")]
    public void EveryCommandThatReadsAModelSaysWhatIsWrongInOneLine(string kind, string command, string field)
    {
        var dir = TestEnvironment.NewTempDirectory();
        var model = ModelWithHeader(dir, kind, Damage(kind));
        string[] arguments = command switch
        {
            "classify" => ["classify", TestRasters.SceneCrop(dir, 0, 0, 64, 64), "--model", model, "--out", Path.Combine(dir, "maps")],
            "export" => ["export", "--model", model, "--to", Path.Combine(dir, "web")],
            _ => ["train", "--init", model, "--data", RgbData, "--out", Path.Combine(dir, "run"), "--epochs", "1", "--steps", "1"],
        };
        var (code, _, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, .. arguments]);
        Assert.Equal(1, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith($"{command}: {model}", stderr);
        Assert.Contains(field, stderr);
    }

    [Fact]
    public void AStateDictDeclaringGigabytesInAFewBytesIsRefused()
    {
        // A pickle: protocol 2, BINUNICODE with a declared length of 2 GiB, then the end of the file.
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "huge.pth");
        var bytes = new List<byte> { 0x80, 0x02, (byte)'X' };
        bytes.AddRange(BitConverter.GetBytes(int.MaxValue));
        bytes.AddRange(Enumerable.Repeat((byte)'a', 100 - bytes.Count));
        File.WriteAllBytes(path, [.. bytes]);
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.StartsWith($"{path} cannot be read as a PyTorch state dict", error.Message);
    }

    static string Manifest(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ADamagedManifestIsRefusedNamingTheLine()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var dataset = EuroSatDataset.Open(RgbData);
        var good = StratifiedRandomSplit.Create(dataset).ToCsv();
        var rows = good.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var firstTrain = rows.Skip(1).First(r => r.EndsWith(",train", StringComparison.Ordinal));

        // CRLF line endings (a manifest edited on Windows) read as the same split.
        var crlf = SplitManifest.Read(Manifest(dir, "crlf.csv", good.Replace("\n", "\r\n")), dataset);
        Assert.Equal(StratifiedRandomSplit.Create(dataset).Validation, crlf.Validation);

        foreach (var (name, text, message) in new[]
        {
            ("missing-column.csv", string.Join('\n', rows.Take(3)) + "\n" + rows[3][..rows[3].LastIndexOf(',')] + "\n", "line 4: 2 field(s), expected 3"),
            ("unterminated.csv", string.Join('\n', rows.Take(2)) + "\n\"AnnualCrop/x.jpg,AnnualCrop,train\n" + string.Join('\n', rows.Skip(2)) + "\n", "line 3"),
            ("duplicate.csv", good + firstTrain + "\n", "is listed again (first on line"),
            ("both-sides.csv", good + firstTrain.Replace(",train", ",validation") + "\n", "a file on both sides"),
            ("header-only.csv", "path,class,split\n", "no train rows"),
            ("train-only.csv", string.Join('\n', rows.Where(r => !r.EndsWith(",validation", StringComparison.Ordinal))) + "\n", "no validation rows"),
            ("semicolons.csv", good.Replace(',', ';'), "fields separated by ';'"),
        })
        {
            var path = Manifest(dir, name, text);
            var error = Assert.Throws<InvalidDataException>(() => SplitManifest.Read(path, dataset));
            Assert.StartsWith(path, error.Message);
            Assert.True(error.Message.Contains(message, StringComparison.Ordinal), $"{name}: {error.Message}");
        }
    }

    [Fact]
    public void EvaluateRefusesADuplicateRowInOneLine()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var dataset = EuroSatDataset.Open(RgbData);
        var good = StratifiedRandomSplit.Create(dataset).ToCsv();
        var validation = good.Split('\n').First(r => r.EndsWith(",validation", StringComparison.Ordinal));
        var manifest = Manifest(dir, "duplicate.csv", good + validation + "\n");
        var model = ModelWithHeader(dir, "small", _ => { });
        var (code, _, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "evaluate", "--model", model, "--data", RgbData, "--split", manifest]);
        Assert.Equal(1, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains($"{manifest} line", stderr);
        Assert.Contains("is listed again", stderr);
    }

    [Fact]
    public void TrainRefusesDataThatLeavesNoValidationImagesBeforeTraining()
    {
        var data = TestEnvironment.NewTempDirectory();
        foreach (var className in EuroSatClasses.Names)
        {
            var file = Directory.GetFiles(Path.Combine(RgbData, className)).Order(StringComparer.Ordinal).First();
            Directory.CreateDirectory(Path.Combine(data, className));
            File.Copy(file, Path.Combine(data, className, Path.GetFileName(file)));
        }
        var output = TestEnvironment.NewTempDirectory();
        var (code, _, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "train", "--model", "smallcnn", "--epochs", "1", "--data", data, "--out", output]);
        Assert.Equal(1, code);
        Assert.Contains("0 for validation", stderr);
        Assert.Empty(Directory.GetFiles(output));
    }
}
