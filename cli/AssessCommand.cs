using System.CommandLine;
using CnnSentinel.Evaluation.Assessment;

namespace CnnSentinel.Cli;

/// <summary>
/// <c>cnnsentinel assess</c>: a class map written by classify against reference points, polygons or a label raster, at the
/// level of coarse groups; the report ends with <c>overall accuracy X (95 % CI a–b), Uncertain U on N reference samples</c>.
/// </summary>
static class AssessCommand
{
    public static Command Create()
    {
        var map = new Argument<FileInfo>("MAP") { Description = "A class map written by classify (<scene>_classes.tif)." };
        var reference = new Option<FileInfo>("--reference") { Description = "Reference points or polygons (GeoPackage, Shapefile, GeoJSON, CSV with x/y columns and a .prj beside it) or a label raster, in any coordinate system.", Required = true };
        var field = new Option<string?>("--field") { Description = "The reference's class field (points, polygons); by default the only field all of whose values the mapping knows." };
        var mapping = new Option<FileInfo?>("--mapping") { Description = "CSV 'side,class,group': reference classes (and optionally EuroSAT map classes) to coarse groups; by default <reference>.mapping.csv beside the reference, else the built-in groups (cropland/grassland, forest, built-up, water)." };
        var probability = new Option<FileInfo?>("--probability") { Description = "The map's probability raster (by default <scene>_probability.tif beside the map): gives the accuracy–coverage curve." };
        var uncertainBelow = new Option<double?>("--uncertain-below") { Description = "Mark land-class pixels whose probability is below this Uncertain before scoring (for a map made with classify --uncertain-below 0)." };
        var json = new Option<FileInfo?>("--json") { Description = "Also write every figure as JSON." };
        var command = new Command("assess", "Assess a class map against reference data: confusion matrix, accuracies with 95 % intervals, area-weighted estimates, accuracy against coverage.")
        {
            map, reference, field, mapping, probability, uncertainBelow, json,
        };
        command.SetAction(parse => CommandErrors.Run("assess", () =>
        {
            var mapPath = parse.GetValue(map)!.FullName;
            if (!File.Exists(mapPath)) throw new FileNotFoundException($"{mapPath}: no such file.", mapPath);
            var referencePath = parse.GetValue(reference)!.FullName;
            if (!File.Exists(referencePath) && !Directory.Exists(referencePath)) throw new FileNotFoundException($"--reference {referencePath}: no such file.", referencePath);
            var assessment = MapAssessment.Assess(mapPath, new AssessmentOptions(referencePath, parse.GetValue(field), parse.GetValue(mapping)?.FullName,
                parse.GetValue(probability)?.FullName, parse.GetValue(uncertainBelow)));
            if (parse.GetValue(json) is { } output) assessment.Save(output.FullName);
            Console.Write(assessment.ToText());
            return 0;
        }));
        return command;
    }
}
