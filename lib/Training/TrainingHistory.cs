using System.Globalization;
using System.Text;
using CnnSentinel.IO;

namespace CnnSentinel.Training;

/// <summary>The per-epoch history of a run as CSV (epoch, losses, accuracies, learning rate, time).</summary>
internal static class TrainingHistory
{
    const string Columns = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds,images";

    /// <summary>Writes <paramref name="history"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteCsv(string path, IEnumerable<EpochRecord> history)
    {
        var csv = new StringBuilder(Columns).Append('\n');
        foreach (var r in history)
            csv.Append(string.Create(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.TrainLoss:R},{r.TrainAccuracy:R},{r.ValidationLoss:R},{r.ValidationAccuracy:R},{r.LearningRate:R},{r.Seconds:0.###},{r.Images}\n"));
        AtomicFile.WriteAllText(path, csv.ToString());
    }

    /// <summary>Reads a history CSV written by <see cref="WriteCsv"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a CSV; the message names the line.</exception>
    public static List<EpochRecord> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Columns) throw new InvalidDataException($"{path}: not a training history (expected the header '{Columns}').");
        return lines.Skip(1).Where(l => l.Length > 0).Select((line, i) =>
        {
            var f = line.Split(',');
            if (f.Length != 8) throw new InvalidDataException($"{path}:{i + 2}: expected 8 fields, found {f.Length}.");
            double D(int k) => double.Parse(f[k], CultureInfo.InvariantCulture);
            return new EpochRecord(int.Parse(f[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), D(4), D(5), D(6), long.Parse(f[7], CultureInfo.InvariantCulture));
        }).ToList();
    }
}
