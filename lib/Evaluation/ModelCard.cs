using System.Globalization;
using System.Text;
using CnnSentinel.Models;

namespace CnnSentinel.Evaluation;

/// <summary>
/// The model card of a saved model: a Markdown page generated from its model file's description and its validation
/// report (nothing in it is typed by hand): data, split, recipe, how to reproduce it, validation figures per class,
/// confusion matrix, training time and machine, licences.
/// </summary>
internal static class ModelCard
{
    /// <summary>The card's Markdown.</summary>
    /// <param name="modelFileName">The model file's name, as the card refers to it.</param>
    /// <param name="description">The model file's description (<see cref="ModelFile.ReadDescription"/>).</param>
    /// <param name="report">The validation report of the saved weights.</param>
    /// <param name="reproduce">The command that trained it; null (a run from a notebook) leaves the card without one.</param>
    public static string Markdown(string modelFileName, ModelDescription description, EvaluationReport report, string? reproduce)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = description.Training;
        var md = new StringBuilder();
        md.AppendLine($"# Model card: `{modelFileName}`").AppendLine();
        md.AppendLine(string.Create(inv, $"Land-use classifier for {description.PatchSize} × {description.PatchSize} Sentinel-2 patches ({description.Bands.Count} bands: {string.Join(", ", description.Bands)}) into the {description.Classes.Count} EuroSAT classes."));
        md.AppendLine(string.Create(inv, $"Architecture `{description.Architecture}`{(description.Adaptation is { } a ? $", band adaptation {a}" : "")}; written by CnnSentinel's `train` command. Generated from the model file and its validation report; do not edit by hand.")).AppendLine();

        md.AppendLine("## Validation").AppendLine();
        md.AppendLine(string.Create(inv, $"Overall accuracy **{report.Confusion.OverallAccuracy:0.0000}**, kappa {report.Confusion.Kappa:0.0000}, average accuracy {report.Confusion.AverageAccuracy:0.0000} on {report.Predictions.Count:N0} validation images" +
            $"{(t?.Validation.TestTimeAugmentation == true ? " (probabilities averaged over the 8 flips and quarter turns)" : "")}.")).AppendLine();
        md.AppendLine("| class | precision | recall | F1 | images |").AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var f in report.PerClass)
            md.AppendLine(string.Create(inv, $"| {f.Class} | {f.Precision:0.0000} | {f.Recall:0.0000} | {f.F1:0.0000} | {f.Support} |"));
        md.AppendLine().AppendLine("Confusion matrix (rows: true class, columns: predicted, same order):").AppendLine();
        md.AppendLine("| | " + string.Join(" | ", report.Classes.Select(Abbreviate)) + " |");
        md.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", report.Classes.Count)));
        for (int r = 0; r < report.Classes.Count; r++)
            md.AppendLine($"| {report.Classes[r]} | " + string.Join(" | ", Enumerable.Range(0, report.Classes.Count).Select(c => report.Confusion[r, c].ToString(inv))) + " |");
        md.AppendLine();

        if (t is not null)
        {
            md.AppendLine("## Training").AppendLine();
            md.AppendLine($"- Recipe: {t.Recipe}.");
            md.AppendLine(string.Create(inv, $"- Data: `{t.Data.Folder}`, {t.Data.Files:N0} patch files (SHA-256 of the sorted relative paths `{t.Data.Digest}`); seeded per-class split (seed {t.Seed}), {t.Data.TrainingImages:N0} training and {t.Data.ValidationImages:N0} validation images ({t.Data.ValidationFraction:0.###} held out)."));
            md.AppendLine(string.Create(inv, $"- {t.Epochs} epochs, batch {t.BatchSize}, {t.ImagesSeen:N0} training images seen, {t.Seconds / 60:0.0} minutes of training (validation after each epoch included) on {t.Machine}."));
            for (var (file, earlier) = (t.ContinuedFromFile, t.ContinuedFrom); earlier is not null; (file, earlier) = (earlier.ContinuedFromFile, earlier.ContinuedFrom))
                md.AppendLine(string.Create(inv, $"- Continued from `{file}`, trained before by: {earlier.Recipe}; {earlier.Epochs} epochs, {earlier.ImagesSeen:N0} training images seen, {earlier.Seconds / 60:0.0} minutes on {earlier.Machine} (validation accuracy {earlier.Validation.OverallAccuracy:0.0000})."));
        }
        string Numbers(IEnumerable<double> values, string format) => string.Join(", ", values.Select(v => v.ToString(format, inv)));
        var (input, network) = (description.Preprocessing.Input, description.Preprocessing.Network);
        md.AppendLine($"- Inputs: raw values → (x − mean) / std per band with mean [{Numbers(input.Mean, "0.###")}] and std [{Numbers(input.Std, "0.###")}]" +
            (network is not null ? $"; the network then subtracts its own ImageNet channel mean [{Numbers(network.Mean, "0.##")}]." : "."));
        md.AppendLine();
        if (reproduce is not null) md.AppendLine("To reproduce:").AppendLine().AppendLine("```bash").AppendLine(reproduce).AppendLine("```").AppendLine();
        md.AppendLine("## Licence and attribution").AppendLine();
        md.AppendLine("- Trained on EuroSAT (Helber et al., 2019, MIT licence); Sentinel-2 data: contains modified Copernicus Sentinel data.");
        if (description.Architecture == ModelCatalog.PretrainedResNet18Architecture)
            md.AppendLine("- Initialised from the ImageNet ResNet18 shipped in the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 (ML.NET, MIT licence).");
        md.AppendLine("- Made with CnnSentinel, a reproduction of CNN-Sentinel by Jens Leitloff and Felix M. Riese (MIT licence, doi:10.5281/zenodo.3268451). Keep this attribution when you pass the weights on.");
        return md.ToString();
    }

    static string Abbreviate(string name) => new string(name.Where(char.IsUpper).ToArray()) is { Length: >= 2 } initials ? initials : name[..Math.Min(4, name.Length)];
}
