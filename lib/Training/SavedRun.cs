using CnnSentinel.Evaluation;
using CnnSentinel.Models;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// What a finished training run leaves for later steps (comparison, interpretation, scene
/// classification): its weights (<c>&lt;name&gt;.safetensors</c>), its history (<c>&lt;name&gt;.history.csv</c>)
/// and its evaluation (<c>&lt;name&gt;.evaluation.json</c>), side by side in one folder.
/// </summary>
/// <param name="Name">The run's name, e.g. 02_rgb_transfer.</param>
/// <param name="History">Per-epoch figures.</param>
/// <param name="Evaluation">Predictions on the validation split.</param>
public sealed record SavedRun(string Name, IReadOnlyList<EpochRecord> History, EvaluationReport Evaluation)
{
    /// <summary>Writes the three files of a run to <paramref name="folder"/> (each atomically).</summary>
    public static void Save(string folder, string name, nn.Module model, IReadOnlyList<EpochRecord> history, EvaluationReport evaluation)
    {
        Directory.CreateDirectory(folder);
        StateDictFile.Save(model, WeightsPath(folder, name));
        TrainingHistory.WriteCsv(Path.Combine(folder, name + ".history.csv"), history);
        evaluation.Save(Path.Combine(folder, name + ".evaluation.json"));
    }

    /// <summary>Reads the history and evaluation of the run <paramref name="name"/> in <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">The run is not there (run its notebook first); the message names the file.</exception>
    public static SavedRun Load(string folder, string name)
    {
        var history = Path.Combine(folder, name + ".history.csv");
        if (!File.Exists(history)) throw new FileNotFoundException($"No saved run '{name}' in {folder}: run its notebook first.", history);
        return new SavedRun(name, TrainingHistory.ReadCsv(history), EvaluationReport.Load(Path.Combine(folder, name + ".evaluation.json")));
    }

    /// <summary>Where the weights of the run <paramref name="name"/> are.</summary>
    public static string WeightsPath(string folder, string name) => Path.Combine(folder, name + ".safetensors");
}
