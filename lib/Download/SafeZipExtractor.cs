using System.IO.Compression;
using CnnSentinel.IO;

namespace CnnSentinel.Download;

/// <summary>
/// Extracts a zip archive without trusting its entry names: every entry is checked before anything is
/// written. Names are normalised (<c>a/./b</c>, <c>a/../b</c> → <c>b</c>); an entry that is absolute or escapes the
/// target folder (<c>../</c>, "zip slip"), or two entries that land on the same path, refuse the whole archive with
/// the entries named. Files are extracted into a hidden staging folder that is moved into place only when all of
/// them are written, so a failure leaves nothing half-extracted; a staging folder left by a killed run is removed
/// by the next one. The names being moved into place are listed in a journal (<c>.&lt;archive&gt;.extracted</c>)
/// until the caller has recorded completion, so that a run killed between the moves is undone and redone by the next.
/// </summary>
internal static class SafeZipExtractor
{
    /// <summary>Extracts <paramref name="archive"/> into <paramref name="targetDirectory"/>; returns the top-level names it added.</summary>
    /// <param name="archive">The zip file.</param>
    /// <param name="targetDirectory">Where its top-level names go (created).</param>
    /// <param name="completed">Called with those names once all are in place, before the journal is removed: record completion here.</param>
    /// <exception cref="InvalidDataException">The archive is not a readable zip, an entry is absolute, escapes the target or collides with another, or a top-level name already exists there.</exception>
    public static IReadOnlyList<string> Extract(string archive, string targetDirectory, Action<IReadOnlyList<string>>? completed = null)
    {
        var target = Path.GetFullPath(targetDirectory);
        Directory.CreateDirectory(target);
        TemporaryFiles.RemoveStale(target);
        var journal = Path.Combine(target, $".{Path.GetFileName(archive)}.extracted");
        UndoInterrupted(journal, target);
        using var zip = Open(archive);
        var entries = zip.Entries.Select(e => (Entry: e, Name: Normalise(archive, e.FullName))).Where(e => e.Name.Length > 0).ToList();
        var collisions = entries.Where(e => !e.Name.EndsWith('/')).GroupBy(e => e.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        if (collisions.Count > 0)
            throw new InvalidDataException($"{archive}: entries {string.Join("; ", collisions.Take(5).Select(g => string.Join(" and ", g.Select(e => $"'{e.Entry.FullName}'"))))} " +
                $"would be written to the same file; refusing to extract the archive");
        var topLevel = entries.Select(e => e.Name.Split('/', StringSplitOptions.RemoveEmptyEntries)[0])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var clashes = topLevel.Where(t => Path.Exists(Path.Combine(target, t))).ToList();
        if (clashes.Count > 0)
            throw new InvalidDataException($"{target}: {string.Join(", ", clashes)} already exist(s); remove them or extract elsewhere");

        var staging = TemporaryFiles.StagingFolderIn(target);
        try
        {
            foreach (var (entry, name) in entries)
            {
                var path = Path.Combine(staging, name);
                if (name.EndsWith('/'))
                {
                    Directory.CreateDirectory(path);
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                entry.ExtractToFile(path);
            }
            AtomicFile.WriteAllText(journal, string.Join('\n', topLevel));
            foreach (var name in topLevel)
            {
                var from = Path.Combine(staging, name);
                if (Directory.Exists(from)) Directory.Move(from, Path.Combine(target, name));
                else File.Move(from, Path.Combine(target, name));
            }
            completed?.Invoke(topLevel);
            File.Delete(journal);
        }
        finally
        {
            TemporaryFiles.Discard(staging);
        }
        return topLevel;
    }

    /// <summary>Removes what an extraction killed while moving its names into place had moved (the journal lists them).</summary>
    static void UndoInterrupted(string journal, string target)
    {
        if (!File.Exists(journal)) return;
        foreach (var name in File.ReadAllLines(journal).Where(n => n.Length > 0 && !n.Contains('/') && n is not ("." or "..")))
            TemporaryFiles.Delete(Path.Combine(target, name));
        File.Delete(journal);
    }

    /// <summary>Opens <paramref name="archive"/>, reading its central directory: a truncated file or an HTML page saved as a zip fails here.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable zip; the message names it.</exception>
    public static ZipArchive Open(string archive)
    {
        try
        {
            var zip = ZipFile.OpenRead(archive);
            _ = zip.Entries.Count;
            return zip;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{archive}: not a readable zip archive ({e.Message})", e);
        }
    }

    /// <summary>
    /// The entry's path inside the archive with <c>\</c> as <c>/</c> and <c>.</c> and <c>..</c> resolved; a trailing
    /// <c>/</c> marks a folder; empty for the archive's root.
    /// </summary>
    /// <exception cref="InvalidDataException">The name is absolute or climbs above the archive's root.</exception>
    static string Normalise(string archive, string entryName)
    {
        var name = entryName.Replace('\\', '/');
        if (name.StartsWith('/') || Path.IsPathRooted(name) || (name.Length > 1 && name[1] == ':'))
            throw new InvalidDataException($"{archive}: entry '{entryName}' is an absolute path; refusing to extract the archive");
        var parts = new List<string>();
        foreach (var part in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part != "..") parts.Add(part);
            else if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
            else throw new InvalidDataException($"{archive}: entry '{entryName}' would be written outside the target folder; refusing to extract the archive");
        }
        var normal = string.Join('/', parts);
        return normal.Length > 0 && name.EndsWith('/') ? normal + "/" : normal;
    }
}
