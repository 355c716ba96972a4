using System.Text.Json;
using System.Text.Json.Nodes;
using CnnSentinel.Export;
using CnnSentinel.Models;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Export;

/// <summary>
/// The map page (web/) in headless Chromium: with an exported model it makes the map of a picked image (PNG, and the
/// same pixels as a GeoTIFF) as the library's <see cref="SceneClassifier"/> does — windows at the cell centres of the
/// chosen stride, the uncertain value below the threshold —, fits it to the page, and answers bad input with a message.
/// Needs <c>scripts/setup.sh packages web</c>.
/// </summary>
public class MapPageTests
{
    static readonly string Web = Path.Combine(TestEnvironment.RepositoryRoot, "web");

    /// <summary>Skips a test of the page where Chromium or the page's npm packages are missing.</summary>
    internal static void SkipUnlessThePageCanRun() =>
        Skip.IfNot(File.Exists(ExternalTools.Chromium) && Directory.Exists(Path.Combine(Web, "node_modules", "playwright-core")) && File.Exists(Path.Combine(Web, "vendor", "ort.wasm.min.js")),
            "Chromium or the page's npm packages are missing: run scripts/setup.sh packages web.");

    /// <summary>A seeded SceneCnn exported as <c>model.onnx</c> into <paramref name="folder"/>, with the original's RGB normalisation.</summary>
    internal static (ImageClassifier Model, ExportMetadata Metadata, string Path) ExportSceneCnn(string folder)
    {
        var model = OnnxExportTests.Build("SceneCnn");
        var metadata = ExportMetadata.For(model, ChannelNormalization.OriginalRgb);
        var path = Path.Combine(folder, "model.onnx");
        OnnxExport.Save(model, path, metadata);
        return (model, metadata, path);
    }

    [SkippableFact]
    public void MapsAsTheLibraryAndReportsBadInput()
    {
        SkipUnlessThePageCanRun();
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            var (model, metadata, modelPath) = ExportSceneCnn(folder);
            using var _ = model;
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
            // A PNG whose header declares 40000 × 40000 pixels (the small picture's, with another size): refused before decoding.
            var huge = Path.Combine(folder, "huge.png");
            var header = File.ReadAllBytes(small);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), 40000);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(20), 40000);
            File.WriteAllBytes(huge, header);
            var screenshot = Path.Combine(TestEnvironment.RepositoryRoot, "out", "tests", "map-page.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

            using var server = new MapPageServer(Web, extraFiles: new Dictionary<string, string> { ["model.onnx"] = modelPath });
            var spec = new JsonObject
            {
                ["url"] = server.Url,
                ["chromium"] = ExternalTools.Chromium,
                ["cases"] = new JsonArray(
                    new JsonObject { ["image"] = mosaic, ["screenshot"] = screenshot, ["thenThreshold"] = 0 },
                    new JsonObject { ["image"] = notAnImage },
                    new JsonObject { ["image"] = small },
                    new JsonObject { ["model"] = multispectralPath, ["image"] = mosaic },
                    new JsonObject { ["image"] = geoTiff, ["stride"] = 8, ["threshold"] = 0, ["viewport"] = new JsonObject { ["width"] = 150, ["height"] = 400 } },
                    new JsonObject { ["image"] = huge }),
            };
            var (code, stdout, stderr) = ExternalTools.Capture("node", [Path.Combine(Web, "test", "drive-map-page.mjs"), spec.ToJsonString()]);
            Assert.True(code == 0, $"the page driver failed ({code}): {stderr}");
            var results = JsonNode.Parse(stdout)!.AsArray();

            // The defaults: stride 16, uncertain below 0.5.
            Assert.True(string.IsNullOrEmpty((string?)results[0]!["error"]), (string?)results[0]!["error"]);
            AssertMapsAsTheLibrary(results[0]!["map"]!, model, metadata, geoTiff, stride: 16, threshold: 0.5);
            Assert.Equal([.. metadata.ClassNames, "Uncertain (confidence below the threshold, or a window mostly cloud)", "Cloud (bright and white)"],
                results[0]!["legend"]!.AsArray().Select(l => (string)l!));
            Assert.EndsWith("read as EuroSat (from its name), fed unconverted; clouds by the bright-and-white test.", (string)results[0]!["status"]!);
            // Served without cross-origin isolation (MapPageServer sends no such headers), the page still maps on one
            // WebAssembly thread per core: one Web Worker each.
            Assert.Matches(@" in [0-9.]+ s on WebAssembly, [1-4] threads?; ", (string)results[0]!["status"]!);
            Assert.True(File.Exists(screenshot));
            // Another threshold repaints the same cells' probabilities without classifying again.
            AssertMapsAsTheLibrary(results[0]!["mapAfter"]!, model, metadata, geoTiff, stride: 16, threshold: 0);
            Assert.True(JsonNode.DeepEquals(results[0]!["map"]!["cells"], results[0]!["mapAfter"]!["cells"]));

            Assert.Contains("not an image", (string)results[1]!["error"]!);
            // An image smaller than a window is classified as the library does: from its reflections.
            Assert.True(string.IsNullOrEmpty((string?)results[2]!["error"]), (string?)results[2]!["error"]);
            Assert.Equal(32 * 32, results[2]!["map"]!["classes"]!.AsArray().Count);
            Assert.Contains("reads 13 bands", (string)results[3]!["error"]!);

            // The same pixels as a georeferenced GeoTIFF (read by geotiff.js), at stride 8 with no threshold, on a page
            // narrower than the image: the image shrinks to the page width with its aspect ratio, the map exactly over it.
            Assert.True(string.IsNullOrEmpty((string?)results[4]!["error"]), (string?)results[4]!["error"]);
            AssertMapsAsTheLibrary(results[4]!["map"]!, model, metadata, geoTiff, stride: 8, threshold: 0);
            var layout = results[4]!["layout"]!;
            var (image, overlay) = (Box(layout["image"]!), Box(layout["overlay"]!));
            Assert.True(image.Width <= (double)layout["pageWidth"]! && image.Width < 202, $"the image is {image.Width} px wide on a page of {layout["pageWidth"]}.");
            Assert.Equal(202.0 / 128, image.Width / image.Height, 2);
            // Layout rounds to 1/64 px: aligned means within a fraction of a screen pixel.
            Assert.True(new[] { image.X - overlay.X, image.Y - overlay.Y, image.Width - overlay.Width, image.Height - overlay.Height }.All(d => Math.Abs(d) < 0.1),
                $"the map lies at {overlay}, the image at {image}.");

            Assert.Equal("huge.png is 40000 × 40000 pixels (1600 Mpx); this page maps images up to 25 Mpx. Crop it (e.g. gdal_translate -srcwin), " +
                "or map it with the cnnsentinel classify command, which reads any size.", (string)results[5]!["error"]!);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The page's WebGPU path, on Chromium's software adapter (SwiftShader: this machine has no GPU): forced with
    /// <c>?backend=webgpu</c>, the model runs on WebGPU and maps as the library does; not forced, the page does not take
    /// a software adapter (slower than WebAssembly) and says why it runs on WebAssembly. A model that computes in 8 bits
    /// stays on WebAssembly even when WebGPU is forced, and the page says why.
    /// </summary>
    [SkippableFact]
    public void MapsOnWebGpuAsTheLibraryAndLeavesASoftwareAdapterAlone()
    {
        SkipUnlessThePageCanRun();
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            var (model, metadata, modelPath) = ExportSceneCnn(folder);
            using var _ = model;
            var mosaic = Path.Combine(folder, "mosaic.png");
            WriteMosaic(mosaic);
            var geoTiff = Path.Combine(folder, "mosaic.tif");
            WriteGeoTiff(mosaic, geoTiff);
            var uint8Path = Path.Combine(folder, "uint8.onnx");
            using (var calibration = OnnxExport.CalibrationWindows(CnnSentinel.Datasets.EuroSatDataset.Open(PatchFixtures.BundledRgb), metadata, count: 50))
                OnnxExport.Save(model, uint8Path, metadata, OnnxWeights.Int8, calibration);

            using var server = new MapPageServer(Web, extraFiles: new Dictionary<string, string> { ["model.onnx"] = modelPath });
            var spec = new JsonObject
            {
                ["url"] = server.Url,
                ["chromium"] = ExternalTools.Chromium,
                ["webgpu"] = true,
                ["cases"] = new JsonArray(new JsonObject { ["image"] = mosaic, ["backend"] = "webgpu" }, new JsonObject { ["image"] = mosaic },
                    new JsonObject { ["image"] = mosaic, ["backend"] = "webgpu", ["model"] = uint8Path }),
            };
            var (code, stdout, stderr) = ExternalTools.Capture("node", [Path.Combine(Web, "test", "drive-map-page.mjs"), spec.ToJsonString()]);
            Assert.True(code == 0, $"the page driver failed ({code}): {stderr}");
            var results = JsonNode.Parse(stdout)!.AsArray();

            Assert.True(string.IsNullOrEmpty((string?)results[0]!["error"]), (string?)results[0]!["error"]);
            Assert.Matches(@" in [0-9.]+ s on WebGPU \(.*swiftshader.*, a software adapter\); ", (string)results[0]!["status"]!);
            AssertMapsAsTheLibrary(results[0]!["map"]!, model, metadata, geoTiff, stride: 16, threshold: 0.5);

            Assert.True(string.IsNullOrEmpty((string?)results[1]!["error"]), (string?)results[1]!["error"]);
            Assert.Matches(@" in [0-9.]+ s on WebAssembly, [1-4] threads?; WebGPU offers only a software adapter \(.*swiftshader.*\); ", (string)results[1]!["status"]!);

            Assert.True(string.IsNullOrEmpty((string?)results[2]!["error"]), (string?)results[2]!["error"]);
            Assert.Matches(@" in [0-9.]+ s on WebAssembly, [1-4] threads?; WebGPU left alone: this model computes in 8 bits ", (string)results[2]!["status"]!);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void ReadsATciAndMarksItsCloudsAsClassifyDoes()
    {
        SkipUnlessThePageCanRun();
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            // The cumulus of the bundled Level-2A TCI (ClassifyMasksTests' crop), named as the product, so that both read it as a TCI.
            var crop = Path.Combine(folder, Path.GetFileName(TestRasters.Scene));
            File.Move(TestRasters.SceneCrop(folder, 1150, 330, 128, 96), crop);
            var (model, description) = ModelFile.Load(ProjectPaths.ShippedRgbModel);
            using var _ = model;
            var modelPath = Path.Combine(folder, "model.onnx");
            OnnxExport.Save(model, modelPath, ExportMetadata.For(description));

            using var scene = SceneInput.Open(crop, 3);
            var windowModel = WindowModel.For(model, description.PatchSize);
            var options = SceneClassifierOptions.For(windowModel, description.Preprocessing, scene.Radiometry, description.Classes) with { Stride = 32 };
            var expected = SceneMap.Classify(scene, windowModel, options);

            using var server = new MapPageServer(Web, extraFiles: new Dictionary<string, string> { ["model.onnx"] = modelPath });
            var spec = new JsonObject
            {
                ["url"] = server.Url,
                ["chromium"] = ExternalTools.Chromium,
                ["cases"] = new JsonArray(new JsonObject { ["image"] = crop, ["stride"] = 32 }),
            };
            var (code, stdout, stderr) = ExternalTools.Capture("node", [Path.Combine(Web, "test", "drive-map-page.mjs"), spec.ToJsonString()]);
            Assert.True(code == 0, $"the page driver failed ({code}): {stderr}");
            var result = JsonNode.Parse(stdout)!.AsArray()[0]!;
            Assert.True(string.IsNullOrEmpty((string?)result["error"]), (string?)result["error"]);
            Assert.EndsWith("read as TciL2A (from its name), fed unconverted; clouds by the bright-and-white test.", (string)result["status"]!);
            Assert.Contains("Cloud (bright and white)", result["legend"]!.AsArray().Select(l => (string)l!));

            var pixels = result["map"]!["classes"]!.AsArray().Select(c => (byte)(int)c!).ToArray();
            Assert.Equal(expected.Classes.Length, pixels.Length);
            int agreed = pixels.Where((value, i) => value == expected.Classes[i]).Count();
            Assert.True(agreed >= 0.99 * pixels.Length, $"the page agrees with classify at {agreed} of {pixels.Length} pixels.");
            int Count(byte[] values, MapMask mask) => values.Count(v => v == (byte)mask);
            Assert.True(Count(expected.Classes, MapMask.Cloud) > 0 && Count(expected.Classes, MapMask.Uncertain) > 0, "the crop holds cloud and cloudy windows");
            Assert.Equal(Count(expected.Classes, MapMask.Cloud), Count(pixels, MapMask.Cloud), tolerance: 0.01 * pixels.Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static (double X, double Y, double Width, double Height) Box(JsonNode box) =>
        ((double)box["x"]!, (double)box["y"]!, (double)box["width"]!, (double)box["height"]!);

    /// <summary>
    /// The page's map against <see cref="SceneClassifier"/> in naive mode at the same stride on the same pixels, with
    /// classify's reading of an 8-bit image and its cloud test: the same cell centres, the same probabilities there (ONNX
    /// Runtime against TorchSharp, to 1e-4), and the same value at every pixel — a class, <see cref="MapMask.Uncertain"/>
    /// below the threshold or in a window mostly cloud, <see cref="MapMask.Cloud"/> — but for ties (≥ 99 %).
    /// </summary>
    static void AssertMapsAsTheLibrary(JsonNode map, ImageClassifier model, ExportMetadata metadata, string geoTiff, int stride, double threshold)
    {
        var classifier = new SceneClassifier(WindowModel.FromModule(model),
            new SceneClassifierOptions(metadata.Preprocessing, ClassificationMode.Naive, stride, UncertainBelow: threshold, KeepAllProbabilities: true,
                Radiometry: SceneRadiometry.AsEuroSat(metadata.BandNames), Clouds: CloudTest.For(metadata.ClassNames)));
        using var raster = GdalRaster.Open(geoTiff);
        var block = Assert.Single(classifier.Classify(raster)); // the image fits one block
        int width = block.Width, height = block.Height, classes = model.Classes;
        Assert.Equal(width, (int)map["width"]!);
        Assert.Equal(stride, (int)map["stride"]!);
        Assert.Equal(threshold, (double)map["threshold"]!);

        var centresX = map["centresX"]!.AsArray().Select(c => (int)c!).ToArray();
        var centresY = map["centresY"]!.AsArray().Select(c => (int)c!).ToArray();
        Assert.Equal(Enumerable.Range(0, (width + stride - 1) / stride).Select(k => k * stride + stride / 2), centresX);
        Assert.Equal(Enumerable.Range(0, (height + stride - 1) / stride).Select(k => k * stride + stride / 2), centresY);
        var cells = map["cells"]!.AsArray().Select(p => (float)p!).ToArray();
        var pixels = map["classes"]!.AsArray().Select(c => (int)c!).ToArray();
        Assert.Equal(width * height, pixels.Length);

        var difference = 0f;
        for (int j = 0; j < centresY.Length; j++)
            for (int i = 0; i < centresX.Length; i++)
            {
                int x = centresX[i], y = centresY[j];
                if (x >= width || y >= height) continue; // a centre beyond the last pixel: its window is all reflection
                var expected = Enumerable.Range(0, classes).Select(k => block.Probabilities![(k * height + y) * width + x]).ToArray();
                var cell = cells.AsSpan((j * centresX.Length + i) * classes, classes).ToArray();
                difference = Math.Max(difference, expected.Zip(cell, (e, a) => Math.Abs(e - a)).Max());
            }
        Assert.True(difference <= 1e-4, $"the page's probabilities differ from the library's by {difference} at stride {stride}.");
        int agreed = pixels.Where((value, i) => value == block.Classes[i]).Count();
        Assert.True(agreed >= 0.99 * pixels.Length, $"at stride {stride} the page agrees with the library at {agreed} of {pixels.Length} pixels.");
        // The white strip at the right is cloud to both.
        Assert.Contains((int)MapMask.Cloud, pixels);
    }

    // Six EuroSAT patches of different classes side by side (3 × 2 windows), with a white 10-pixel strip at the right,
    // so that the width is no multiple of the strides and the last column of centres at stride 8 lies beyond the image.
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
}
