using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.Export;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Transforms;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Export;

/// <summary>
/// The map page (web/) in headless Chromium: with an exported model it classifies each 64 × 64 window of a picked
/// image (PNG, and the same pixels as a GeoTIFF) as the library does, and it answers bad input with a message.
/// Needs <c>scripts/setup.sh packages web</c>.
/// </summary>
public class MapPageTests
{
    static readonly string Web = Path.Combine(TestEnvironment.RepositoryRoot, "web");

    [SkippableFact]
    public void ClassifiesWindowsAsTheLibraryAndReportsBadInput()
    {
        Skip.IfNot(File.Exists(ExternalTools.Chromium) && Directory.Exists(Path.Combine(Web, "node_modules", "playwright-core")) && File.Exists(Path.Combine(Web, "vendor", "ort.wasm.min.js")),
            "Chromium or the page's npm packages are missing: run scripts/setup.sh packages web.");
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            using var model = OnnxExportTests.Build("SceneCnn");
            var metadata = ExportMetadata.For(model, ChannelNormalization.OriginalRgb);
            var modelPath = Path.Combine(folder, "model.onnx");
            OnnxExport.Save(model, modelPath, metadata);
            using var multispectral = OnnxExportTests.Build("BandAdapter");
            var multispectralPath = Path.Combine(folder, "multispectral.onnx");
            OnnxExport.Save(multispectral, multispectralPath, ExportMetadata.For(multispectral));

            var mosaic = Path.Combine(folder, "mosaic.png");
            WriteMosaic(mosaic);
            var geoTiff = Path.Combine(folder, "mosaic.tif");
            WriteGeoTiff(mosaic, geoTiff);
            var small = Path.Combine(folder, "small.png");
            WritePng(small, new SKBitmap(32, 32));
            var notAnImage = Path.Combine(folder, "notes.png");
            File.WriteAllText(notAnImage, "not a picture");
            var screenshot = Path.Combine(TestEnvironment.RepositoryRoot, "out", "tests", "map-page.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

            using var server = new StaticFileServer(Web, new Dictionary<string, string> { ["model.onnx"] = modelPath });
            var spec = new JsonObject
            {
                ["url"] = server.Url,
                ["chromium"] = ExternalTools.Chromium,
                ["cases"] = new JsonArray(
                    new JsonObject { ["image"] = mosaic, ["screenshot"] = screenshot },
                    new JsonObject { ["image"] = notAnImage },
                    new JsonObject { ["image"] = small },
                    new JsonObject { ["model"] = multispectralPath, ["image"] = mosaic },
                    new JsonObject { ["image"] = geoTiff }),
            };
            var (code, stdout, stderr) = ExternalTools.Capture("node", [Path.Combine(Web, "test", "drive-map-page.mjs"), spec.ToJsonString()]);
            Assert.True(code == 0, $"the page driver failed ({code}): {stderr}");
            var results = JsonNode.Parse(stdout)!.AsArray();

            var map = results[0]!["map"]!;
            Assert.True(string.IsNullOrEmpty((string?)results[0]!["error"]), (string?)results[0]!["error"]);
            Assert.Equal(3, (int)map["columns"]!);
            Assert.Equal(2, (int)map["rows"]!);
            var expected = LibraryProbabilities(model, mosaic, metadata);
            var pageClasses = map["classes"]!.AsArray().Select(c => (int)c!).ToArray();
            Assert.Equal(expected.Select(p => Array.IndexOf(p, p.Max())).ToArray(), pageClasses);
            var pageProbabilities = map["probabilities"]!.AsArray().Select(row => row!.AsArray().Select(p => (float)p!).ToArray()).ToArray();
            var difference = expected.Zip(pageProbabilities, (e, a) => e.Zip(a, (x, y) => Math.Abs(x - y)).Max()).Max();
            Assert.True(difference <= 1e-4, $"the page's probabilities differ from the library's by {difference}.");
            Assert.True(File.Exists(screenshot));

            Assert.Contains("not an image", (string)results[1]!["error"]!);
            Assert.Contains("at least", (string)results[2]!["error"]!);
            Assert.Contains("reads 13 bands", (string)results[3]!["error"]!);

            // The same pixels as a georeferenced GeoTIFF (read by geotiff.js) give the same map.
            Assert.True(string.IsNullOrEmpty((string?)results[4]!["error"]), (string?)results[4]!["error"]);
            Assert.Equal(pageClasses, results[4]!["map"]!["classes"]!.AsArray().Select(c => (int)c!).ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Six EuroSAT patches of different classes side by side (3 × 2 windows), with a 10-pixel strip that makes no whole window.
    static void WriteMosaic(string path)
    {
        string[] classes = ["AnnualCrop", "Forest", "Highway", "Residential", "River", "SeaLake"];
        using var bitmap = new SKBitmap(3 * 64 + 10, 2 * 64);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            for (var i = 0; i < classes.Length; i++)
            {
                var patch = Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb", classes[i]), "*.jpg").Order().First();
                using var image = SKBitmap.Decode(patch);
                canvas.DrawBitmap(image, i % 3 * 64, i / 3 * 64);
            }
        }
        WritePng(path, bitmap);
    }

    /// <summary>The PNG's red, green and blue as a 3-band Byte GeoTIFF in UTM (what a user would pick from a GIS).</summary>
    static void WriteGeoTiff(string png, string path)
    {
        using var bitmap = SKBitmap.Decode(png);
        int width = bitmap.Width, height = bitmap.Height;
        var planes = new[] { new byte[width * height], new byte[width * height], new byte[width * height] };
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var colour = bitmap.GetPixel(x, y);
                planes[0][y * width + x] = colour.Red;
                planes[1][y * width + x] = colour.Green;
                planes[2][y * width + x] = colour.Blue;
            }
        using var writer = GeoTiffWriter.Create(path, width, height, 3, RasterDataType.Byte, TestRasters.Utm10m(), new GeoTiffOptions(CloudOptimized: false));
        for (int band = 0; band < 3; band++) writer.Write(band + 1, 0, 0, width, height, planes[band]);
        writer.Commit();
    }

    static void WritePng(string path, SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    // What the library gives for each whole window of the PNG, row by row: softmax of the standardised window.
    static float[][] LibraryProbabilities(ImageClassifier model, string png, ExportMetadata metadata)
    {
        using var bitmap = SKBitmap.Decode(png);
        var size = metadata.InputSize;
        var (columns, rows) = (bitmap.Width / size, bitmap.Height / size);
        var windows = new float[columns * rows * 3 * size * size];
        var (mean, std) = metadata.Normalization.ToFloats();
        for (var w = 0; w < columns * rows; w++)
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    var pixel = bitmap.GetPixel(w % columns * size + x, w / columns * size + y);
                    byte[] rgb = [pixel.Red, pixel.Green, pixel.Blue];
                    for (var b = 0; b < 3; b++) windows[((w * 3 + b) * size + y) * size + x] = (rgb[b] - mean[b]) / std[b];
                }
        using var noGrad = torch.no_grad();
        using var input = torch.tensor(windows).reshape(columns * rows, 3, size, size);
        using var probabilities = torch.softmax(model.call(input), 1);
        var flat = probabilities.data<float>().ToArray();
        return Enumerable.Range(0, columns * rows).Select(w => flat[(w * model.Classes)..((w + 1) * model.Classes)]).ToArray();
    }
}
