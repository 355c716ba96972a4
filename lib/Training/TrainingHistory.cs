using System.Globalization;
using CsvHelper;
using CnnSentinel.IO;

namespace CnnSentinel.Training;

/// <summary>The per-epoch history of a run as CSV (epoch, losses, accuracies, learning rate, time).</summary>
internal static class TrainingHistory
{
    static readonly string[] Columns = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds", "images"];

    /// <summary>Writes <paramref name="history"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteCsv(string path, IEnumerable<EpochRecord> history) => AtomicFile.WriteAllText(path, CsvText.Write(csv =>
    {
        csv.Row(Columns);
        foreach (var r in history)
            csv.Row(r.Epoch, R(r.TrainLoss), R(r.TrainAccuracy), R(r.ValidationLoss), R(r.ValidationAccuracy), R(r.LearningRate),
                r.Seconds.ToString("0.###", CultureInfo.InvariantCulture), r.Images);
    }));

    /// <summary>A double that reads back as the same double.</summary>
    static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Reads a history CSV written by <see cref="WriteCsv"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a CSV; the message names the line.</exception>
    public static List<EpochRecord> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CsvText.Reading);
        if (!csv.Read() || !csv.Parser.Record!.SequenceEqual(Columns))
            throw new InvalidDataException($"{path}: not a training history (expected the header '{string.Join(",", Columns)}').");
        var records = new List<EpochRecord>();
        while (csv.Read())
        {
            var f = csv.Parser.Record!;
            if (f.Length != Columns.Length) throw new InvalidDataException($"{path}:{csv.Parser.RawRow}: expected {Columns.Length} fields, found {f.Length}.");
            double D(int k) => double.Parse(f[k], CultureInfo.InvariantCulture);
            records.Add(new EpochRecord(int.Parse(f[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), D(4), D(5), D(6), long.Parse(f[7], CultureInfo.InvariantCulture)));
        }
        return records;
    }
}
