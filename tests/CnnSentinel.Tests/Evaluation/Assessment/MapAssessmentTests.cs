using CnnSentinel.Evaluation.Assessment;
using static CnnSentinel.Tests.Evaluation.Assessment.AssessmentFixtures;

namespace CnnSentinel.Tests.Evaluation.Assessment;

public class MapAssessmentTests
{
    // Groups (built-in order): 0 cropland/grassland, 1 forest, 2 built-up, 3 water; rows 4 Uncertain, 5 Cloud, …, 9 nodata.

    [Fact]
    public void AMappingFileIsCsvWithQuotedNamesCommentsAndBlankLines()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "mapping.csv");
        File.WriteAllText(path, "# classes of a made-up reference\nside,class,group\n\nreference,\"forest, mixed\",forest\r\nreference, urban ,built-up\n");
        var mapping = ClassGroupMapping.Read(path);
        Assert.True(mapping.TryGroupOfReference("forest, mixed", out var forest));
        Assert.True(mapping.TryGroupOfReference("urban", out var builtUp));
        Assert.Equal("forest", mapping.Groups[forest!.Value]);
        Assert.Equal("built-up", mapping.Groups[builtUp!.Value]);
        File.WriteAllText(path, "side,class,group\nreference,forest\n");
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => ClassGroupMapping.Read(path)).Message);
    }

    [Fact]
    public void ScoresALabelRasterAsWorkedOutByHand()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var map = Map(dir);
        var reference = Path.Combine(dir, "labels.tif");
        TestRasters.Write(reference, 4, 4, 1, ReferenceCodes, Grid, CnnSentinel.Raster.RasterDataType.Byte);
        File.WriteAllText(Path.Combine(dir, "labels.mapping.csv"), CodeMapping); // found beside the reference

        var result = MapAssessment.Assess(map, new AssessmentOptions(reference));

        // Pixel by pixel (map group / reference group): 15 labelled pixels, (1, 1) has no label.
        // cropland row: (1,2) (1,3) (2,2) (3,3) all cropland → 4 right; forest row: (0,0) (0,1) (0,2) (1,0) forest, (0,3) cropland;
        // built-up row: (2,0) built-up, (2,1) cropland; water row: (3,0) water; Uncertain (2,3) cropland; Cloud (3,2) built-up; nodata (3,1) water.
        long[,] expected =
        {
            { 4, 0, 0, 0 }, { 1, 4, 0, 0 }, { 1, 0, 1, 0 }, { 0, 0, 0, 1 },
            { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 },
        };
        Assert.Equal(expected, result.Counts);
        Assert.Equal(ReferenceKind.Raster, result.Reference.Kind);
        Assert.Equal(15, result.Samples);
        Assert.Equal(1, result.Reference.WithoutLabel);
        Assert.Equal(10.0 / 15, result.OverallAccuracy, 12);
        Assert.Equal((1, 1, 1), (result.UncertainSamples, result.MaskedSamples, result.NoDataSamples));
        Assert.Equal([4L, 6, 2, 1, 1, 1, 0, 0, 0, 1], result.MapRowPixels);

        // Area-weighted, W = map pixels / 16: 4/16 · 1 + 6/16 · 4/5 + 2/16 · 1/2 + 1/16 · 1 = 0.675;
        // V = (6/16)² · 0.8 · 0.2 / 4 + (2/16)² · 0.5 · 0.5 / 1 = 0.00953125.
        Assert.Equal(0.675, result.EstimatedOverall.Value, 12);
        Assert.Equal(Math.Sqrt(0.00953125), result.EstimatedOverall.StandardError, 12);
        // Cropland: its area 4/16 · 1 + 6/16 · 1/5 + 2/16 · 1/2 + 1/16 (Uncertain) = 0.45, producer's (4/16) / 0.45.
        Assert.Equal(0.45, result.PerGroup[0].EstimatedProportion.Value, 12);
        Assert.Equal(0.25 / 0.45, result.PerGroup[0].EstimatedProducers.Value, 12);
        // Water: the water row (1/16) and the nodata row (1/16), all water.
        Assert.Equal(0.125, result.PerGroup[3].EstimatedProportion.Value, 12);
        Assert.Equal(0.125 * 16 * 100, result.PerGroup[3].EstimatedArea.Value, 9); // in m²: 16 pixels of 100 m²
        Assert.Equal(0.8, result.PerGroup[1].UsersAccuracy, 12);
        Assert.Equal(4.0 / 7, result.PerGroup[0].ProducersAccuracy, 12); // cropland's column: 4 + 1 + 1 + 1

        // Coverage, from the probability map beside: land-class samples 12; (0,3) at 0.3 and (1,2) at 0.45 drop out at 0.5.
        Assert.NotNull(result.ProbabilityPath);
        var atZero = result.Coverage![0];
        Assert.Equal((12.0 / 15, 10.0 / 12, 10.0 / 15), (atZero.Coverage, atZero.CoveredAccuracy, atZero.Accuracy));
        var atHalf = result.Coverage.Single(c => c.Threshold == 0.5);
        Assert.Equal((10.0 / 15, 9.0 / 10, 9.0 / 15), (atHalf.Coverage, atHalf.CoveredAccuracy, atHalf.Accuracy));

        Assert.Equal("overall accuracy 0.667 (95 % CI 0.417–0.848), Uncertain 6.7 % on 15 reference samples", result.Headline);
        Assert.EndsWith(result.Headline + "\n", result.ToText().ReplaceLineEndings("\n"));

        // The threshold applied to the map: (0,3) and (1,2) become Uncertain.
        var thresholded = MapAssessment.Assess(map, new AssessmentOptions(reference, UncertainBelow: 0.5));
        Assert.Equal(9.0 / 15, thresholded.OverallAccuracy, 12);
        Assert.Equal(3, thresholded.UncertainSamples);
        Assert.Equal(3, thresholded.MapRowPixels[4]);
        Assert.Equal(result.Coverage, thresholded.Coverage); // the curve reaches below the threshold it was given
    }

    [Fact]
    public void PerfectWindowsScoreTheMainGroupOfEachSamplesWindowAsWorkedOutByHand()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var reference = Path.Combine(dir, "labels.tif");
        TestRasters.Write(reference, 4, 4, 1, ReferenceCodes, Grid, CnnSentinel.Raster.RasterDataType.Byte);
        File.WriteAllText(Path.Combine(dir, "labels.mapping.csv"), CodeMapping);
        var result = MapAssessment.Assess(Map(dir), new AssessmentOptions(reference));

        // By group (F forest, C cropland, B built-up, W water, - no label):  F F F C / F - C C / B C C C / W W B C.
        // 3 × 3 squares, clipped: wrong are (0,2) (F, square C 3 : F 2), (2,0) (B, square W 2), (3,1) (W, a three-way
        // tie C = B = W = 2 going to cropland, listed first) and (3,2) (B, square C 4); the other 11 of 15 are right.
        Assert.Equal(11.0 / 15, result.WindowMajorityAccuracy(3)!.Value, 12);
        Assert.Equal(1.0, result.WindowMajorityAccuracy(1)!.Value, 12); // each sample alone
        Assert.Equal(7.0 / 15, result.WindowMajorityAccuracy(64)!.Value, 12); // one window over everything: cropland, 7 of 15
        Assert.Throws<ArgumentOutOfRangeException>(() => result.WindowMajorityAccuracy(0));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void ScoresPointsTheSameInAnyCoordinateSystem()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var map = Map(dir);
        (double X, double Y, string Class) At(int column, int row, string name, double dx = 0, double dy = 0)
        {
            var (x, y) = Centre(column, row);
            return (x + dx, y + dy, name);
        }
        // Forest on Forest twice (one near a pixel's corner), pasture on Forest, urban on Residential, urban on Cloud, water
        // on River, two points in one pixel (both count), and one point 1 km off the map.
        (double X, double Y, string Class)[] points =
        [
            At(0, 0, "forest"), At(1, 0, "Forest", 4.5, -4.5), At(3, 0, "pasture"), At(0, 2, "urban"), At(2, 3, "urban"), At(0, 3, "water"),
            At(3, 3, "pasture"), At(3, 3, "pasture", -3, 3), (Left - 1000, Top, "water"),
        ];
        var utm = MapAssessment.Assess(map, new AssessmentOptions(Points(dir, "utm", points)));
        var geographic = MapAssessment.Assess(map, new AssessmentOptions(Points(dir, "wgs84", points, epsg: 4326)));
        var mercator = MapAssessment.Assess(map, new AssessmentOptions(Points(dir, "mercator", points, epsg: 3857)));

        foreach (var result in new[] { utm, geographic, mercator })
        {
            Assert.Equal(ReferenceKind.Points, result.Reference.Kind);
            Assert.Null(result.WindowMajorityAccuracy(64)); // points tell nothing of a window's make-up
            Assert.Equal("land_cover", result.Reference.Field);
            Assert.Equal(8, result.Samples);
            Assert.Equal(1, result.Reference.Outside);
            // Right: 2 forest, 1 built-up, 1 water, 2 cropland → 6 of 8; wrong: pasture on Forest, urban on Cloud.
            Assert.Equal(6, result.Correct);
            Assert.Equal(1, result.Counts[1, 0]);
            Assert.Equal(1, result.Counts[5, 2]);
            Assert.Equal(2, result.Counts[0, 0]);
        }
        // Area-weighted by hand, W = map pixels / 16: cropland 4/16 · 2/2 + forest 6/16 · 2/3 + built-up 2/16 · 1/1 + water 1/16 · 1/1 = 0.6875;
        // V = (6/16)² · (2/3 · 1/3) / 2 (the other strata are all right, all wrong or hold one sample) = 0.015625.
        Assert.Equal(0.6875, utm.EstimatedOverall.Value, 12);
        Assert.Equal(0.125, utm.EstimatedOverall.StandardError, 12);
        // Built-up: its own stratum (2/16, all built-up) and Cloud's (1/16, its one sample built-up).
        Assert.Equal(0.1875, utm.PerGroup[2].EstimatedProportion.Value, 12);
        Assert.Equal(utm.Counts, geographic.Counts);
        Assert.Equal(utm.Counts, mercator.Counts);
        Assert.Equal(utm.EstimatedOverall, geographic.EstimatedOverall);
        Assert.EndsWith("on 8 reference samples", utm.Headline);

        // A CSV with x/y columns and a .prj beside it reads as the GeoPackage does.
        var csv = Path.Combine(dir, "points.csv");
        File.WriteAllLines(csv, ["x,y,cover", .. points.Select(p => FormattableString.Invariant($"{p.X},{p.Y},{p.Class}"))]);
        File.WriteAllText(Path.ChangeExtension(csv, ".prj"), ExternalTools.Run("gdalsrsinfo", "-o", "wkt1", "EPSG:32633"));
        var fromCsv = MapAssessment.Assess(map, new AssessmentOptions(csv));
        Assert.Equal(utm.Counts, fromCsv.Counts);
        Assert.Equal("cover", fromCsv.Reference.Field);
    }

    [Fact]
    public void RasterisesPolygonsByPixelCentres()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var map = Map(dir);
        // Forest over column 0, rows 0–2 (centres at x + 5, y − 5, −15, −25; the edge at x + 12 leaves column 1 out);
        // urban over row 3, columns 2–3; a polygon without a label over (1, 1); and a no-data label is allowed.
        var reference = Polygons(dir, "polygons",
        [
            (Rectangle(Left, Top - 28, Left + 12, Top), "forest"),
            (Rectangle(Left + 20, Top - 40, Left + 40, Top - 30), "artificial surface"),
            (Rectangle(Left + 10, Top - 20, Left + 20, Top - 10), ""),
        ]);
        var result = MapAssessment.Assess(map, new AssessmentOptions(reference));

        Assert.Equal(ReferenceKind.Polygons, result.Reference.Kind);
        Assert.Equal("LULC_NAME", result.Reference.Field);
        Assert.Equal(5, result.Samples);
        Assert.Equal(1, result.Reference.WithoutLabel);
        // Forest pixels: Forest, Forest, Residential; built-up pixels: Cloud, AnnualCrop.
        Assert.Equal(2, result.Counts[1, 1]);
        Assert.Equal(1, result.Counts[2, 1]);
        Assert.Equal(1, result.Counts[5, 2]);
        Assert.Equal(1, result.Counts[0, 2]);
        Assert.Equal(2, result.Correct);

        // gdal_rasterize on the map's grid burns the same pixels.
        var burnt = Path.Combine(dir, "burnt.tif");
        ExternalTools.Run("gdal_rasterize", "-q", "-burn", "1", "-init", "0", "-ot", "Byte", "-te", "500000", "5599960", "500040", "5600000", "-tr", "10", "10", reference, burnt);
        var gdalCount = (int)Math.Round(ExternalTools.GdalInfo(burnt)["bands"]![0]!["mean"]!.GetValue<double>() * 16);
        Assert.Equal(result.Samples + result.Reference.WithoutLabel, gdalCount);
    }

    [Fact]
    public void RefusesUnknownClassesNamingThem()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var map = Map(dir);
        var points = Points(dir, "points", [(Left + 5, Top - 5, "forest"), (Left + 15, Top - 5, "glacier")]);

        var unknownInData = Assert.Throws<UserErrorException>(() => MapAssessment.Assess(map, new AssessmentOptions(points, Field: "land_cover")));
        Assert.Contains("class 'glacier' of field land_cover is not in the built-in mapping", unknownInData.Message);
        var noField = Assert.Throws<UserErrorException>(() => MapAssessment.Assess(map, new AssessmentOptions(points)));
        Assert.Contains("no field whose values are all classes of the built-in mapping (fields: land_cover)", noField.Message);

        var mapping = Path.Combine(dir, "mapping.csv");
        File.WriteAllText(mapping, "side,class,group\nreference,forest,forest\nreference,glacier,ice\nmap,Moon,ice\n");
        var unknownMapClass = Assert.Throws<InvalidDataException>(() => MapAssessment.Assess(map, new AssessmentOptions(points, Mapping: mapping)));
        Assert.Contains($"{mapping} line 4: unknown map class 'Moon'", unknownMapClass.Message);

        File.WriteAllText(mapping, "side,class,group\nreference,forest,forest\n");
        var notInFile = Assert.Throws<UserErrorException>(() => MapAssessment.Assess(map, new AssessmentOptions(points, Field: "land_cover", Mapping: mapping)));
        Assert.Contains($"class 'glacier' of field land_cover is not in {mapping}", notInFile.Message);

        // With the class added (to a group of its own, the map side given in full), it is scored: glacier is never right.
        File.WriteAllText(mapping, "side,class,group\nreference,forest,forest\nreference,glacier,ice\n" +
            string.Concat(CnnSentinel.Datasets.EuroSatClasses.Names.Select(n => $"map,{n},{(n == "Forest" ? "forest" : "other")}\n")));
        var scored = MapAssessment.Assess(map, new AssessmentOptions(points, Mapping: mapping));
        Assert.Equal(["forest", "ice", "other"], scored.Groups);
        Assert.Equal(1, scored.Correct);
        Assert.Equal(2, scored.Samples);
    }
}
