using System.Text.Json.Nodes;
using CnnSentinel.Evaluation.Assessment;
using CnnSentinel.Scenes;
using SkiaSharp;
using CnnSentinel.Tools;

namespace CnnSentinel.Tests.Bench;

/// <summary>
/// The real-scenes bench on the committed reference scenes (<c>data/reference</c>: Leipzig's 8-band stack with its points,
/// Slovenia's 13-band Level-1C stack with its polygons) with the shipped model at a large stride (few windows, fast): its
/// report must say what <c>cnnsentinel assess</c> says of the same maps.
/// </summary>
public class RealScenesBenchmarkTests
{
    static readonly string References = Path.Combine(TestEnvironment.RepositoryRoot, "data", "reference");

    [Fact]
    public void ReportAgreesWithAssessOnTheSameMaps()
    {
        var output = TestEnvironment.NewTempDirectory("bench-real-scenes");
        try
        {
            var printed = ExternalTools.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "real-scenes",
                "--only", "--folder", References, "--stride", "64", "--out", output);
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, RealScenesReport.FileName)))!;
            var scenes = report["scenes"]!.AsArray();
            Assert.Equal(["leipzig-2021/leipzig_raster.tif", "slovenia-2015/s2_l1c_20150711.tif"],
                scenes.Select(s => $"{(string)s!["folder"]!}/{(string)s["image"]!}"));
            Assert.Equal(["leipzig_points.gpkg", "lulc_polygons_2017_2018.gpkg"], scenes.Select(s => (string)s!["reference"]!));
            Assert.Equal(Path.GetFileName(ProjectPaths.ShippedRgbModel), (string)report["model"]!);

            foreach (var scene in scenes)
            {
                var folder = (string)scene!["folder"]!;
                var map = Path.Combine(output, "real-scenes", folder, (string)scene["map"]!);
                var json = Path.Combine(output, folder + ".json");
                var last = ExternalTools.Run("dotnet", ExternalTools.Cli, "assess", map, "--reference", Path.Combine(References, folder, (string)scene["reference"]!),
                    "--uncertain-below", $"{(double)scene["uncertainBelow"]!}", "--json", json).TrimEnd().Split('\n')[^1];
                var assessed = JsonNode.Parse(File.ReadAllText(json))!;
                Assert.Equal((string)assessed["headline"]!, last);
                foreach (var key in new[] { "samples", "correct", "overallAccuracy", "overallLow", "overallHigh", "uncertainShare", "maskedShare", "noDataSamples" })
                    Assert.True(JsonNode.DeepEquals(assessed[key], scene[key]), $"{folder} {key}: assess {assessed[key]}, bench {scene[key]}\n{printed}");
                foreach (var key in new[] { "confusion", "perGroup", "coverage", "estimatedOverall" })
                    Assert.True(JsonNode.DeepEquals(assessed[key], scene[key]), $"{folder} {key} differs\n{printed}");
                Assert.Contains($"{folder}/{(string)scene["image"]!}", printed);
                AssertPictureShowsTheReference(map, Path.Combine(References, folder, (string)scene["reference"]!),
                    Path.Combine(output, "real-scenes", folder, Path.GetFileNameWithoutExtension((string)scene["image"]!) + "_beside_reference.png"));
            }
            var leipzig = scenes[0]!;
            Assert.Equal(97, (long)leipzig["samples"]!); // every point lies on the scene
            Assert.Equal(10, leipzig["coverage"]!.AsArray().Count);

            // Slovenia's label raster is its polygons rasterised: assessed against it, the same map gives the same matrix.
            var slovenia = scenes[1]!;
            var labels = Path.Combine(output, "labels.json");
            ExternalTools.Run("dotnet", ExternalTools.Cli, "assess", Path.Combine(output, "real-scenes", "slovenia-2015", (string)slovenia["map"]!),
                "--reference", Path.Combine(References, "slovenia-2015", "lulc_label.tif"), "--uncertain-below", "0.5", "--json", labels);
            var fromRaster = JsonNode.Parse(File.ReadAllText(labels))!;
            Assert.Equal("Raster", (string)fromRaster["referenceKind"]!);
            Assert.True(JsonNode.DeepEquals(slovenia["confusion"], fromRaster["confusion"]));
        }
        finally { Directory.Delete(output, recursive: true); }
    }

    /// <summary>
    /// The bench's picture of <paramref name="map"/> beside <paramref name="reference"/>: at each reference sample's place the
    /// reference panel has the sample's group colour (for points, those whose disc no other point's overlaps) and the map panel
    /// the colour of the map's class there.
    /// </summary>
    static void AssertPictureShowsTheReference(string map, string reference, string picturePath)
    {
        var assessment = MapAssessment.Assess(map, new AssessmentOptions(reference, null, null, null, SceneClassifierOptions.DefaultUncertainBelow));
        using var picture = SKBitmap.Decode(picturePath);
        Assert.NotNull(picture);
        int width = assessment.MapWidth, scale = AssessmentFigure.Scale(width), panelLeft = ClassMapImage.FigureGap + width * scale;
        Assert.True(width * scale >= 250, $"{picturePath}: a {width}-pixel map enlarged only {scale} times");
        var pixels = assessment.Reference.Pixels;
        bool points = assessment.Reference.Kind == ReferenceKind.Points;
        int reach = 2 * (AssessmentFigure.PointRadius(scale) + 2) / scale + 1;
        int checkedSamples = 0;
        for (int s = 0; s < pixels.Length; s++)
        {
            int column = pixels[s] % width, row = pixels[s] / width;
            if (points && Enumerable.Range(0, pixels.Length).Any(o => o != s && Math.Abs(pixels[o] % width - column) <= reach && Math.Abs(pixels[o] / width - row) <= reach))
                continue;
            var (x, y) = AssessmentFigure.ReferencePixel(width, column, row);
            Assert.Equal(AssessmentFigure.GroupColor(assessment.Mapping, ClassLegend.EuroSat, assessment.Reference.Groups[s]), picture.GetPixel(x, y));
            var value = assessment.ScoredClasses[pixels[s]];
            var colour = ClassLegend.EuroSat.ColorTable()[value];
            Assert.Equal(value == SceneClassifier.NoDataClass ? SKColors.White : new SKColor(colour.R, colour.G, colour.B), picture.GetPixel(x - panelLeft, y));
            checkedSamples++;
        }
        Assert.True(checkedSamples >= Math.Min(10, pixels.Length), $"{picturePath}: only {checkedSamples} of {pixels.Length} samples could be checked");
    }

    [Fact]
    public void AFolderWhoseReferenceIsNotClearNeedsAManifest()
    {
        var output = TestEnvironment.NewTempDirectory("bench-real-scenes-manifest");
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(output, "scenes", "slovenia")).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(References, "slovenia-2015"))) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            File.Copy(Path.Combine(folder, "lulc_polygons_2017_2018.gpkg"), Path.Combine(folder, "other_polygons.gpkg"));
            string[] arguments = [Path.Combine(AppContext.BaseDirectory, "cnnsentinel-bench.dll"), "real-scenes", "--only", "--folder", Path.Combine(output, "scenes"),
                "--stride", "64", "--out", output];

            var (code, _, stderr) = ExternalTools.Capture("dotnet", arguments);
            Assert.NotEqual(0, code);
            Assert.Contains($"{folder}: the reference is not clear (lulc_polygons_2017_2018.gpkg, other_polygons.gpkg, lulc_label.tif); name it in reference.json", stderr);

            File.WriteAllText(Path.Combine(folder, "reference.json"), """{"reference": "lulc_label.tif", "images": ["s2_l1c_20150711.tif"]}""");
            ExternalTools.Run("dotnet", arguments);
            var scene = JsonNode.Parse(File.ReadAllText(Path.Combine(output, RealScenesReport.FileName)))!["scenes"]!.AsArray().Single()!;
            Assert.Equal("lulc_label.tif", (string)scene["reference"]!);
            Assert.Equal("Raster", (string)scene["referenceKind"]!);
            Assert.Equal("lulc_label.mapping.csv", (string)scene["mapping"]!); // found beside the raster
            Assert.Equal("slovenia", (string)scene["folder"]!);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
