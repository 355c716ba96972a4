using CnnSentinel.IO;
using CsvHelper;

namespace CnnSentinel.Datasets;

/// <summary>
/// A train/validation split that leaves the files where they are: a CSV with the columns
/// <c>path,class,split</c> (path relative to the dataset folder, '/' separators; split <c>train</c> or
/// <c>validation</c>), rows in ordinal order of the path. The original copied the files into
/// <c>train/</c> and <c>validation/</c> folders; a manifest does the same job without copies.
/// </summary>
public sealed class SplitManifest
{
    /// <summary>Creates a manifest from entries (sorted here by path).</summary>
    public SplitManifest(IEnumerable<SplitEntry> entries) =>
        Entries = entries.OrderBy(e => e.Sample.RelativePath, StringComparer.Ordinal).ToList();

    /// <summary>All rows, in ordinal order of the path.</summary>
    public IReadOnlyList<SplitEntry> Entries { get; }

    /// <summary>The patches of <paramref name="split"/>, in path order.</summary>
    public IReadOnlyList<EuroSatSample> Samples(SplitSet split) =>
        Entries.Where(e => e.Split == split).Select(e => e.Sample).ToList();

    /// <summary>The training patches.</summary>
    public IReadOnlyList<EuroSatSample> Train => Samples(SplitSet.Train);

    /// <summary>The validation patches.</summary>
    public IReadOnlyList<EuroSatSample> Validation => Samples(SplitSet.Validation);

    /// <summary>Patches per class index in <paramref name="split"/>, for <paramref name="classCount"/> classes.</summary>
    public int[] CountPerClass(SplitSet split, int classCount)
    {
        var counts = new int[classCount];
        foreach (var e in Entries.Where(e => e.Split == split)) counts[e.Sample.ClassIndex]++;
        return counts;
    }

    /// <summary>The CSV text.</summary>
    public string ToCsv() => CsvText.Write(csv =>
    {
        csv.Row("path", "class", "split");
        foreach (var e in Entries) csv.Row(e.Sample.RelativePath, e.Sample.ClassName, Name(e.Split));
    });

    /// <summary>Writes the CSV to <paramref name="path"/> atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToCsv());

    /// <summary>
    /// Reads a manifest written by <see cref="Write"/> (or by hand: either line ending) and resolves its rows against
    /// <paramref name="dataset"/>, checking it as a whole.
    /// </summary>
    /// <exception cref="InvalidDataException">Not CSV, another header, a row without three fields, a file the dataset lacks, another
    /// class, an unknown split, a file listed twice (on one side or on both), or a side without rows; the message gives the line.</exception>
    public static SplitManifest Read(string path, EuroSatDataset dataset)
    {
        var byPath = dataset.Samples.ToDictionary(s => s.RelativePath, StringComparer.Ordinal);
        var entries = new List<SplitEntry>();
        var lines = new Dictionary<string, (int Line, string Split)>(StringComparer.Ordinal);
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CsvText.Reading);
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not ["path", "class", "split"])
                throw new InvalidDataException($"{path} line 1: expected the header 'path,class,split', found '{string.Join(",", csv.HeaderRecord ?? [])}'" +
                    (csv.HeaderRecord is [var only] && only.Contains(';') ? " (fields separated by ';', not ',')" : ""));
            for (int end = csv.Parser.RawRow; csv.Read(); end = csv.Parser.RawRow)
            {
                var line = end + 1; // where this record starts: a quoted field may run over several lines
                if (csv.Parser.RawRow > line)
                    throw new InvalidDataException($"{path} line {line}: a quoted field runs on to line {csv.Parser.RawRow} (a quote without its closing quote?)");
                if (csv.Parser.Count != 3)
                    throw new InvalidDataException($"{path} line {line}: {csv.Parser.Count} field(s), expected 3 (path,class,split)");
                string file = csv.GetField(0)!, className = csv.GetField(1)!, split = csv.GetField(2)!;
                if (!byPath.TryGetValue(file, out var sample))
                    throw new InvalidDataException($"{path} line {line}: '{file}' is not a patch of {dataset.Root}");
                if (sample.ClassName != className)
                    throw new InvalidDataException($"{path} line {line}: '{file}' is listed as {className} but lies in the {sample.ClassName} folder");
                if (lines.TryGetValue(file, out var first))
                    throw new InvalidDataException($"{path} line {line}: '{file}' is listed again (first on line {first.Line}, {first.Split}" +
                        (first.Split == split ? ")" : $"; a file on both sides would be scored on images it was trained on)"));
                lines[file] = (line, split);
                entries.Add(new SplitEntry(sample, split switch
                {
                    "train" => SplitSet.Train,
                    "validation" => SplitSet.Validation,
                    _ => throw new InvalidDataException($"{path} line {line}: split must be 'train' or 'validation', not '{split}'"),
                }));
            }
        }
        catch (CsvHelperException e)
        {
            throw new InvalidDataException($"{path} line {csv.Parser.RawRow}: not valid CSV ({e.Message.Split('\n')[0].Trim()})", e);
        }
        foreach (var side in new[] { SplitSet.Train, SplitSet.Validation })
            if (!entries.Any(e => e.Split == side))
                throw new InvalidDataException($"{path}: no {Name(side)} rows; a split manifest lists both sides");
        return new SplitManifest(entries);
    }

    // Reading accepts any line ending (\n, \r\n), which an explicit NewLine would not.
    static string Name(SplitSet split) => split == SplitSet.Train ? "train" : "validation";
}
