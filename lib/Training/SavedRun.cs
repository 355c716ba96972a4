using CnnSentinel.Evaluation;
using CnnSentinel.Models;

namespace CnnSentinel.Training;

/// <summary>
/// What a finished training run leaves for later steps (comparison, interpretation, scene
/// classification): its model file (<c>&lt;name&gt;.safetensors</c>, weights and description, <see cref="ModelFile"/>), its history (<c>&lt;name&gt;.history.csv</c>)
/// and its evaluation (<c>&lt;name&gt;.evaluation.json</c>), side by side in one folder.
/// </summary>
/// <param name="Name">The run's name, e.g. 02_rgb_transfer.</param>
/// <param name="History">Per-epoch figures.</param>
/// <param name="Evaluation">Predictions on the validation split.</param>
public sealed record SavedRun(string Name, IReadOnlyList<EpochRecord> History, EvaluationReport Evaluation)
{
    /// <summary>Writes the three files of a run to <paramref name="folder"/> (each atomically).</summary>
    /// <param name="folder">Where the files go.</param>
    /// <param name="name">The run's name.</param>
    /// <param name="model">The trained network.</param>
    /// <param name="description">What it is, e.g. <see cref="EuroSatTrainingData.Describe"/>.</param>
    /// <param name="history">Per-epoch figures.</param>
    /// <param name="evaluation">Predictions on the validation split.</param>
    public static void Save(string folder, string name, ImageClassifier model, ModelDescription description, IReadOnlyList<EpochRecord> history, EvaluationReport evaluation)
    {
        Directory.CreateDirectory(folder);
        ModelFile.Save(model, WeightsPath(folder, name), description);
        TrainingHistory.WriteCsv(Path.Combine(folder, name + ".history.csv"), history);
        evaluation.Save(Path.Combine(folder, name + ".evaluation.json"));
    }

    /// <summary>Whether the run <paramref name="name"/> has been saved in <paramref name="folder"/> (its notebook has run), so that
    /// <see cref="Load"/> finds it.</summary>
    public static bool Exists(string folder, string name) =>
        File.Exists(Path.Combine(folder, name + ".history.csv")) && File.Exists(Path.Combine(folder, name + ".evaluation.json"));

    /// <summary>Reads the history and evaluation of the run <paramref name="name"/> in <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">The run is not there (run its notebook first); the message names the file.</exception>
    public static SavedRun Load(string folder, string name)
    {
        var history = Path.Combine(folder, name + ".history.csv");
        if (!File.Exists(history)) throw new FileNotFoundException($"No saved run '{name}' in {folder}: run its notebook first.", history);
        return new SavedRun(name, TrainingHistory.ReadCsv(history), EvaluationReport.Load(Path.Combine(folder, name + ".evaluation.json")));
    }

    /// <summary>Where the model file of the run <paramref name="name"/> is (<see cref="ModelFile.Load"/> reads it).</summary>
    public static string WeightsPath(string folder, string name) => Path.Combine(folder, name + ".safetensors");
}
