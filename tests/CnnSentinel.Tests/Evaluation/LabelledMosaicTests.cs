using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Raster;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Evaluation;

public class LabelledMosaicTests
{
    static string SampleSplit => Path.Combine(TestEnvironment.RepositoryRoot, "data", "models", "resnet18-imagenet_rgb_fast-continued-context-radiometric.sample-split.csv");

    [Fact]
    public void RgbMosaicHoldsValidationPatchesPixelForPixelWhereItsTruthSays()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledRgb);
        var validation = SplitManifest.Read(SampleSplit, dataset).Validation;
        var mosaic = LabelledMosaic.Arrange(dataset, validation, perClass: 3, seed: 7);

        Assert.Equal((5, 6, 30), (mosaic.Rows, mosaic.Columns, mosaic.Tiles.Count));
        Assert.Subset(validation.ToHashSet(), mosaic.Tiles.Select(t => t.Patch).ToHashSet());
        Assert.Equal(30, mosaic.Tiles.Select(t => t.Patch).Distinct().Count());
        Assert.All(mosaic.Tiles.GroupBy(t => t.Patch.ClassIndex), g => Assert.Equal(3, g.Count()));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (i / 6, i % 6)), mosaic.Tiles.Select(t => (t.Row, t.Column)));
        Assert.Equal(mosaic.Tiles, LabelledMosaic.Arrange(dataset, validation, 3, 7).Tiles);
        Assert.NotEqual(mosaic.Tiles, LabelledMosaic.Arrange(dataset, validation, 3, 8).Tiles);

        var image = Path.Combine(dir, "mosaic.tif");
        mosaic.WriteImage(dataset, image);
        using (var raster = GdalRaster.Open(image))
        {
            Assert.Equal((384, 320, 3, RasterDataType.Byte), (raster.Width, raster.Height, raster.BandCount, raster.DataType(1)));
            Assert.Equal([500_000, 10, 0, 5_600_000, 0, -10], raster.GeoReference!.GeoTransform);
            Assert.Contains("32633", raster.GeoReference.ProjectionWkt);
            Assert.Equal(["B04", "B03", "B02"], Enumerable.Range(1, 3).Select(raster.BandDescription));
            foreach (var tile in mosaic.Tiles)
                Assert.Equal(dataset.Read(tile.Patch).Select(v => (float)v), raster.Read(tile.X, tile.Y, 64, 64));
        }
        using (var scene = SceneInput.Open(image, 3)) Assert.Equal(3, scene.Bands.Length);

        var truth = mosaic.TruthPixels();
        foreach (var tile in mosaic.Tiles)
            Assert.All(new[] { (0, 0), (63, 63), (32, 32), (0, 63) }, p => Assert.Equal(tile.Patch.ClassIndex, truth[(tile.Y + p.Item1) * mosaic.Width + tile.X + p.Item2]));
        var truthImage = Path.Combine(dir, "truth.tif");
        mosaic.WriteTruthRaster(truthImage);
        using (var raster = GdalRaster.Open(truthImage))
            Assert.Equal(truth.Select(v => (float)v), raster.Read(0, 0, mosaic.Width, mosaic.Height));

        var json = Path.Combine(dir, "mosaic.json");
        mosaic.Save(json);
        var read = LabelledMosaic.Load(json);
        Assert.Equal(mosaic.Tiles, read.Tiles);
        Assert.Equal((mosaic.Format, mosaic.Width, mosaic.Height), (read.Format, read.Width, read.Height));
        Assert.Equal(mosaic.GeoReference.GeoTransform, read.GeoReference.GeoTransform);
        Assert.Equal(mosaic.Classes, read.Classes);
    }

    [Fact]
    public void MultispectralMosaicKeepsThirteenUInt16BandsInTheOrderClassifyReads()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledMultispectral);
        var mosaic = LabelledMosaic.Arrange(dataset, dataset.Samples, perClass: 1, seed: 1);
        var image = Path.Combine(dir, "mosaic.tif");
        mosaic.WriteImage(dataset, image);
        using (var raster = GdalRaster.Open(image))
        {
            Assert.Equal((5 * 64, 2 * 64, 13, RasterDataType.UInt16), (raster.Width, raster.Height, raster.BandCount, raster.DataType(1)));
            foreach (var tile in mosaic.Tiles)
                Assert.Equal(dataset.Read(tile.Patch).Select(v => (float)v), raster.Read(tile.X, tile.Y, 64, 64));
        }
        using (var scene = SceneInput.Open(image, 13)) Assert.Equal(SentinelBands.Names, scene.BandNames);
        Assert.Throws<UserErrorException>(() => mosaic.WriteImage(EuroSatDataset.Open(PatchFixtures.BundledRgb), image));
    }

    [Fact]
    public void AskingForMorePatchesThanAClassHasSaysWhichClassesFallShort()
    {
        var dataset = EuroSatDataset.Open(PatchFixtures.BundledMultispectral);
        var error = Assert.Throws<UserErrorException>(() => LabelledMosaic.Arrange(dataset, dataset.Samples.Where(s => s.ClassName != "Forest").ToList(), 2, 1));
        Assert.Contains("only Forest 0", error.Message);
    }
}
