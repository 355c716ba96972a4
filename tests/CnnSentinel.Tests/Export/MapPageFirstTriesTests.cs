using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CnnSentinel.Datasets;
using CnnSentinel.Export;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Export;

/// <summary>
/// What a new user tries first on the map page (web/): opening <c>index.html</c> from the disk, a EuroSAT patch (the
/// README's suggestion), a file named <c>.tif</c> that is not a TIFF. Needs <c>scripts/setup.sh packages web</c>.
/// </summary>
public class MapPageFirstTriesTests
{
    static readonly string Web = Path.Combine(TestEnvironment.RepositoryRoot, "web");

    [SkippableFact]
    public void APatchGetsItsClassAndProbabilityEnlargedAndAFileNamedTifIsReadByItsContent()
    {
        MapPageTests.SkipUnlessThePageCanRun();
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            var (model, metadata, modelPath) = MapPageTests.ExportSceneCnn(folder);
            using var _ = model;

            var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
            var sample = dataset.Samples.First(s => s.ClassName == "Residential");
            var patch = Path.Combine(dataset.Root, sample.RelativePath);
            var jpegNamedTif = Path.Combine(folder, "patch.tif");
            File.Copy(patch, jpegNamedTif);
            var textNamedTif = Path.Combine(folder, "notes.tif");
            File.WriteAllText(textNamedTif, "not a picture");

            using var server = new MapPageServer(Web, extraFiles: new Dictionary<string, string> { ["model.onnx"] = modelPath });
            var spec = new JsonObject
            {
                ["url"] = server.Url,
                ["chromium"] = ExternalTools.Chromium,
                ["cases"] = new JsonArray(new JsonObject { ["image"] = patch }, new JsonObject { ["image"] = textNamedTif }, new JsonObject { ["image"] = jpegNamedTif }),
            };
            var (code, stdout, stderr) = ExternalTools.Capture("node", [Path.Combine(Web, "test", "drive-map-page.mjs"), spec.ToJsonString()]);
            Assert.True(code == 0, $"the page driver failed ({code}): {stderr}");
            var results = JsonNode.Parse(stdout)!.AsArray();

            // The patch as one window: the class and probability the library gives the same pixels.
            Assert.True(string.IsNullOrEmpty((string?)results[0]!["error"]), (string?)results[0]!["error"]);
            var answer = Regex.Match((string?)results[0]!["answer"] ?? "", @"^(\w+) \((\d\.\d\d)\)$");
            Assert.True(answer.Success, $"the page's answer for a patch: '{results[0]!["answer"]}'");
            float[] expected;
            using (no_grad())
                expected = softmax(model.call(metadata.Preprocessing.Apply(dataset.ReadImages([sample]))), 1)[0].data<float>().ToArray();
            int best = Array.IndexOf(expected, expected.Max());
            Assert.Equal(metadata.ClassNames[best], answer.Groups[1].Value);
            Assert.Equal(expected[best], double.Parse(answer.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 0.011);
            // Drawn four times its size, not as a 64-pixel thumbnail.
            Assert.Equal(4 * 64, (double)results[0]!["layout"]!["image"]!["width"]!, 0.5);

            // A text file named .tif: the page's own message, not the TIFF reader's.
            var error = (string)results[1]!["error"]!;
            Assert.Contains("notes.tif is not an image this page can read", error);
            Assert.Contains("named like a TIFF", error);
            Assert.DoesNotContain("byte order", error, StringComparison.OrdinalIgnoreCase);
            // A JPEG named .tif is read as the JPEG it is.
            Assert.Equal((string?)results[0]!["answer"], (string?)results[2]!["answer"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void OpenedFromTheDiskThePageSaysHowToServeIt()
    {
        Skip.IfNot(File.Exists(ExternalTools.Chromium), "Chromium is missing: run scripts/setup.sh packages.");
        var dom = ExternalTools.RenderedDom(Path.Combine(Web, "index.html"), budgetMilliseconds: 3_000);
        Assert.Contains("This page must be served, not opened from the disk", dom);
        Assert.Contains($"cnnsentinel serve \"{Web}\"", dom);
        Assert.DoesNotContain("Loading model.onnx", dom);
    }
}
