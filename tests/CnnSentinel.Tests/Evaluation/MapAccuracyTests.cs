using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Raster;

namespace CnnSentinel.Tests.Evaluation;

public class MapAccuracyTests
{
    static readonly string[] Classes = ["A", "B", "C"];

    /// <summary>Four cells in a row, of classes A, B, C, A.</summary>
    static LabelledMosaic FourCells() => new(PatchFormat.Rgb, Classes, 1, 4, LabelledMosaic.DefaultEpsg, LabelledMosaic.DefaultOriginX,
        LabelledMosaic.DefaultOriginY, 0, new[] { 0, 1, 2, 0 }.Select((c, i) => new MosaicTile(0, i, new EuroSatSample($"{Classes[c]}/{Classes[c]}_{i}.jpg", Classes[c], c))).ToList());

    /// <summary>
    /// Cell 0 (A): all A. Cell 1 (B): mostly A, only the centre pixel B. Cell 2 (C): all C but the 2 × 2 centre, which is 12
    /// (a mask value). Cell 3 (A): left half A, right half B (a tie), centre pixel (32, 32) B.
    /// </summary>
    static byte[] HandMadeMap(LabelledMosaic mosaic)
    {
        var map = new byte[mosaic.Width * mosaic.Height];
        void Fill(int cell, int x0, int y0, int w, int h, byte value)
        {
            for (int y = y0; y < y0 + h; y++) map.AsSpan(y * mosaic.Width + cell * 64 + x0, w).Fill(value);
        }
        Fill(0, 0, 0, 64, 64, 0);
        Fill(1, 0, 0, 64, 64, 0);
        Fill(1, 32, 32, 1, 1, 1);
        Fill(2, 0, 0, 64, 64, 2);
        Fill(2, 31, 31, 2, 2, 12);
        Fill(3, 0, 0, 32, 64, 0);
        Fill(3, 32, 0, 32, 64, 1);
        return map;
    }

    [Fact]
    public void ScoresAHandMadeMapCellByCell()
    {
        var mosaic = FourCells();
        var accuracy = MapAccuracy.Score(mosaic, HandMadeMap(mosaic));

        Assert.Equal([0, 1, 12, 1], accuracy.Tiles.Select(t => t.Centre));
        Assert.Equal([4, 1, 0, 2], accuracy.Tiles.Select(t => t.CentreBlockCorrect));
        Assert.Equal([0, 0, 2, null], accuracy.Tiles.Select(t => t.Majority));
        Assert.Equal([4096, 1, 4092, 2048], accuracy.Tiles.Select(t => t.CorrectPixels));

        Assert.Equal(2 / 4.0, accuracy.Centre);
        Assert.Equal(7 / 16.0, accuracy.CentreBlock);
        Assert.Equal(2 / 4.0, accuracy.Majority);
        Assert.Equal((4096 + 1 + 4092 + 2048) / (4 * 4096.0), accuracy.Pixels);
        Assert.Equal(1, accuracy.CentresNotAClass);

        var a = accuracy.PerClass[0];
        Assert.Equal(("A", 2, 0.5, 6 / 8.0, 0.5, (4096 + 2048) / 8192.0), (a.Class, a.Tiles, a.Centre, a.CentreBlock, a.Majority, a.Pixels));
        Assert.Equal((1, 1.0, 0.0), (accuracy.PerClass[1].Tiles, accuracy.PerClass[1].Centre, accuracy.PerClass[1].Majority));
        Assert.Equal((0.0, 1.0), (accuracy.PerClass[2].Centre, accuracy.PerClass[2].Majority));

        // Centres: A→A, B→B, A→B; the mask value is left out. Majorities: A→A, B→A, C→C; the tie is left out.
        Assert.Equal(3, accuracy.CentreConfusion.Total);
        Assert.Equal((1, 1, 1), (accuracy.CentreConfusion[0, 0], accuracy.CentreConfusion[1, 1], accuracy.CentreConfusion[0, 1]));
        Assert.Equal(3, accuracy.MajorityConfusion.Total);
        Assert.Equal((1, 1, 1), (accuracy.MajorityConfusion[0, 0], accuracy.MajorityConfusion[1, 0], accuracy.MajorityConfusion[2, 2]));

        Assert.Contains("  4  0.5000      0.4375    0.5000", accuracy.ToText().Split('\n').Single(l => l.StartsWith("all ")));
        Assert.Equal(0.5, (double)accuracy.ToJson()["centre"]!);
    }

    [Fact]
    public void ScoresAClassMapFileAndRefusesOneOfAnotherPlace()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var mosaic = FourCells();
        var map = HandMadeMap(mosaic);
        string Write(string name, GeoReference where, int width)
        {
            var path = Path.Combine(dir, name);
            using var writer = GeoTiffWriter.Create(path, width, mosaic.Height, 1, RasterDataType.Byte, where, new GeoTiffOptions(CloudOptimized: false));
            writer.Write(1, 0, 0, width, mosaic.Height, width == mosaic.Width ? map : new byte[width * mosaic.Height]);
            writer.Commit();
            return path;
        }

        var fromFile = MapAccuracy.Score(mosaic, Write("map.tif", mosaic.GeoReference, mosaic.Width));
        Assert.Equal(MapAccuracy.Score(mosaic, map).Tiles, fromFile.Tiles);

        var shifted = Assert.Throws<InvalidDataException>(() => MapAccuracy.Score(mosaic, Write("shifted.tif", mosaic.GeoReference.Offset(1, 0), mosaic.Width)));
        Assert.Contains("does not lie where the mosaic lies", shifted.Message);
        var smaller = Assert.Throws<InvalidDataException>(() => MapAccuracy.Score(mosaic, Write("smaller.tif", mosaic.GeoReference, 64)));
        Assert.Contains("is 64×64 pixels; the mosaic is 256×64", smaller.Message);
        Assert.Throws<ArgumentException>(() => MapAccuracy.Score(mosaic, new byte[10]));
    }
}
