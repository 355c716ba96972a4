using System.CommandLine;
using CnnSentinel.Datasets;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel split FOLDER --to FILE</c>: writes a train/validation manifest of a EuroSAT folder.</summary>
static class SplitCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "EuroSAT folder holding one folder per class (RGB .jpg or multispectral .tif)." };
        var to = new Option<FileInfo>("--to") { Description = "Manifest to write (CSV: path,class,split).", Required = true };
        var fraction = new Option<double>("--validation") { Description = "Fraction held out for validation.", DefaultValueFactory = _ => StratifiedRandomSplit.DefaultValidationFraction };
        var seed = new Option<int>("--seed") { Description = "Seed of the shuffle.", DefaultValueFactory = _ => StratifiedRandomSplit.DefaultSeed };
        var spatial = new Option<double?>("--spatial-block") { Description = "Split by spatial blocks of this many metres (multispectral GeoTIFFs only) instead of per class at random." };
        var force = new Option<bool>("--force") { Description = "Replace an existing manifest." };
        var buffer = new Option<double>("--buffer") { Description = "Spatial split: leave out training patches within this many metres of a validation patch.", DefaultValueFactory = _ => SpatialBlockSplit.DefaultBuffer };
        var command = new Command("split", "Split a EuroSAT folder into training and validation (seeded, per class, 30 % by default) and write the manifest.")
        {
            folder, to, fraction, seed, spatial, buffer, force,
        };
        command.SetAction(parse => CommandErrors.Run("split", () =>
        {
            if (parse.GetValue(fraction) is var share && !(share > 0 && share < 1))
                throw new UserErrorException($"--validation {share}: give a fraction between 0 and 1 (exclusive), e.g. 0.3.");
            if (parse.GetValue(spatial) is { } metres && !(metres > 0 && double.IsFinite(metres)))
                throw new UserErrorException($"--spatial-block {metres}: give a positive number of metres.");
            var path = parse.GetValue(to)!.FullName;
            if (File.Exists(path) && !parse.GetValue(force))
                throw new IOException($"{path} exists; give --force to replace it.");
            var dataset = EuroSatDataset.Open(parse.GetValue(folder)!.FullName);
            var block = parse.GetValue(spatial);
            var split = block is { } size
                ? SpatialBlockSplit.Create(dataset, size, parse.GetValue(fraction), parse.GetValue(seed), parse.GetValue(buffer))
                : StratifiedRandomSplit.Create(dataset, parse.GetValue(fraction), parse.GetValue(seed));
            split.Write(path);
            var train = split.CountPerClass(SplitSet.Train, dataset.Classes.Count);
            var validation = split.CountPerClass(SplitSet.Validation, dataset.Classes.Count);
            for (int c = 0; c < dataset.Classes.Count; c++)
                Console.WriteLine($"{c} {dataset.Classes[c],-22} train {train[c],6}  validation {validation[c],6}");
            Console.WriteLine($"{split.Train.Count} training, {split.Validation.Count} validation, " +
                $"{dataset.Samples.Count - split.Entries.Count} left out (next to validation patches) → {path}");
            return 0;
        }));
        return command;
    }
}
