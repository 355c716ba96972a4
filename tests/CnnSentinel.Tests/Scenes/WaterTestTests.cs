using System.Text.Json.Nodes;
using CnnSentinel.Datasets;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Scenes;

/// <summary><see cref="WaterTest"/>: water classes only where green is above near infrared.</summary>
public class WaterTestTests
{
    static readonly string Leipzig = Path.Combine(TestEnvironment.RepositoryRoot, "data", "reference", "leipzig-2021", "leipzig_raster.tif");

    [Fact]
    public void ALandPixelLosesItsWaterClassesAndKeepsTheRestInProportion()
    {
        var test = WaterTest.For()!;
        Assert.Equal([EuroSatClasses.Names.ToList().IndexOf("River"), EuroSatClasses.Names.ToList().IndexOf("SeaLake")], test.WaterClasses);
        // Three pixels: River first on land; River first on water; everything on the water classes, on land.
        var river = EuroSatClasses.Names.ToList().IndexOf("River");
        var forest = EuroSatClasses.Names.ToList().IndexOf("Forest");
        var pasture = EuroSatClasses.Names.ToList().IndexOf("Pasture");
        var sea = EuroSatClasses.Names.ToList().IndexOf("SeaLake");
        var values = new float[10 * 3]; // [class, pixel]
        values[river * 3 + 0] = 0.6f; values[forest * 3 + 0] = 0.3f; values[pasture * 3 + 0] = 0.1f;
        values[river * 3 + 1] = 0.6f; values[forest * 3 + 1] = 0.4f;
        values[river * 3 + 2] = 0.5f; values[sea * 3 + 2] = 0.5f;
        var p = tensor(values).view(10, 1, 3);
        var green = tensor(new float[] { 500, 900, 500 }).view(1, 3);
        var nir = tensor(new float[] { 3000, 400, 3000 }).view(1, 3);

        var result = test.Apply(p, WaterTest.NotWater(green, nir));

        Assert.Equal(0.75f, result[forest, 0, 0].item<float>(), 5);
        Assert.Equal(0.25f, result[pasture, 0, 0].item<float>(), 5);
        Assert.Equal(0f, result[river, 0, 0].item<float>());
        TensorAssert.Identical(p[.., .., 1], result[.., .., 1], "the water pixel");
        TensorAssert.Identical(p[.., .., 2], result[.., .., 2], "a pixel given only water classes");
    }

    [Fact]
    public void AModelWithoutWaterClassesHasNoWaterTest() => Assert.Null(WaterTest.For(["Forest", "Residential"]));

    [Fact]
    public void GreenAndNearInfraredAreFoundByNameOrInTheModelsBands()
    {
        using (var named = SceneInput.Open(Leipzig, 3))
            Assert.Equal([2, 6], named.WaterBands!); // b03 and b08 of b02, b03, b04, b06, b07, b08, b11, ndvi
        using (var tci = SceneInput.Open(TestRasters.Scene, 3))
            Assert.Null(tci.WaterBands);
        var dir = TestEnvironment.NewTempDirectory();
        var unnamed = Path.Combine(dir, "stack.tif");
        TestRasters.Write(unnamed, 4, 4, 13, new float[4 * 4 * 13], TestRasters.Utm10m());
        using var stack = SceneInput.Open(unnamed, 13);
        Assert.Equal([3, 8], stack.WaterBands!); // EuroSAT's order: B01 … B08 is the eighth
    }

    /// <summary>
    /// The Leipzig reference crop (named bands, near infrared among them) through <c>classify</c> as a user runs it: with the
    /// test, River and SeaLake only where rasterio reads green above near infrared; without it (<c>--no-water-test</c>) the
    /// shipped model puts water on land there, which is what the test is for.
    /// </summary>
    [Fact]
    public void ClassifyPutsWaterOnlyWhereGreenIsAboveNearInfrared()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var with = Path.Combine(dir, "with");
        var without = Path.Combine(dir, "without");
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "classify", Leipzig, "--model", ProjectPaths.ShippedRgbModel, "--out", with]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("water only where green is above near infrared", stdout);
        (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "classify", Leipzig, "--model", ProjectPaths.ShippedRgbModel, "--out", without, "--no-water-test"]);
        Assert.True(code == 0, stdout + stderr);
        Assert.DoesNotContain("water only where", stdout);

        var waterOnLand = WaterOnLand(SceneOutputPaths.For(with, Leipzig, allProbabilities: false).Classes);
        var waterOnLandWithout = WaterOnLand(SceneOutputPaths.For(without, Leipzig, allProbabilities: false).Classes);
        Assert.Equal(0, (int)waterOnLand["water_on_land"]!);
        Assert.True((int)waterOnLand["water"]! > 0, "no water left at all");
        Assert.True((int)waterOnLandWithout["water_on_land"]! > 1000, $"without the test: {waterOnLandWithout.ToJsonString()}");
    }

    /// <summary>Pixels of River or SeaLake, and those of them where green (b03) is not above near infrared (b08), read by rasterio.</summary>
    static JsonNode WaterOnLand(string classes) => JsonNode.Parse(ExternalTools.Run("/usr/bin/python3", "-c", $$"""
        import json, rasterio
        scene = rasterio.open({{Quoted(Leipzig)}})
        names = list(scene.descriptions)
        green, nir = scene.read(names.index("b03") + 1), scene.read(names.index("b08") + 1)
        m = rasterio.open({{Quoted(classes)}}).read(1)
        water = (m == {{EuroSatClasses.Names.ToList().IndexOf("River")}}) | (m == {{EuroSatClasses.Names.ToList().IndexOf("SeaLake")}})
        print(json.dumps({"water": int(water.sum()), "water_on_land": int((water & (green <= nir)).sum())}))
        """))!;

    static string Quoted(string path) => System.Text.Json.JsonSerializer.Serialize(path);
}
