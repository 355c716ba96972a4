using CnnSentinel.Datasets;
using CnnSentinel.Models;

namespace CnnSentinel.Training;

/// <summary>
/// Whether a starting model (<see cref="TrainingRun.InitialModel"/>) may be continued on a run's data: the same bands and
/// classes, and the same files and split, so that its validation images stay unseen.
/// </summary>
internal static class InitialModelCheck
{
    /// <summary>Refuses a starting model that reads other bands or gives other classes than <paramref name="dataset"/>.</summary>
    public static void RefuseOtherBands(string file, ModelDescription start, EuroSatDataset dataset)
    {
        var differences = new List<string>();
        if (!start.Bands.SequenceEqual(dataset.BandNames)) differences.Add($"its bands are {string.Join(",", start.Bands)}, the data's {string.Join(",", dataset.BandNames)}");
        if (!start.Classes.SequenceEqual(dataset.Classes)) differences.Add($"its classes are {string.Join(",", start.Classes)}, the data's {string.Join(",", dataset.Classes)}");
        RefuseIfAny(file, differences);
    }

    /// <summary>
    /// Refuses a starting model trained on other files or another split: its validation images could be on this run's
    /// training side, and this run's validation figures would be too good.
    /// </summary>
    public static void RefuseOtherSplit(string file, ModelDescription start, DataIdentity data, int seed)
    {
        var was = start.Training!;
        var differences = new List<string>();
        if (was.Data.Digest != data.Digest) differences.Add($"its data were {was.Data.Files} files of '{was.Data.Folder}', these are {data.Files} files of '{data.Folder}' (another file list)");
        if (was.Seed != seed) differences.Add($"its split seed was {was.Seed}, this run's is {seed}");
        if (Math.Abs(was.Data.ValidationFraction - data.ValidationFraction) > 1e-9) differences.Add($"it held out {was.Data.ValidationFraction:0.###} for validation, this run {data.ValidationFraction:0.###}");
        RefuseIfAny(file, differences);
    }

    static void RefuseIfAny(string file, List<string> differences)
    {
        if (differences.Count > 0)
            throw new UserErrorException($"{Path.GetFullPath(file)}: --init needs a model trained on the same data and split, so that its validation images stay unseen: {string.Join("; ", differences)}.");
    }
}
