using System.IO.Compression;

namespace CnnSentinel.Download;

/// <summary>
/// Extracts a zip archive without trusting its entry names: every entry is checked before anything is
/// written, an entry that is absolute or escapes the target folder (<c>../</c>, "zip slip") refuses the whole
/// archive, and files are extracted into a hidden staging folder that is moved into place only when all of
/// them are written, so a failure leaves nothing half-extracted.
/// </summary>
public static class SafeZipExtractor
{
    /// <summary>Extracts <paramref name="archive"/> into <paramref name="targetDirectory"/>; returns the top-level names it added.</summary>
    /// <exception cref="InvalidDataException">An entry is absolute or escapes the target, or a top-level name already exists there.</exception>
    public static IReadOnlyList<string> Extract(string archive, string targetDirectory)
    {
        var target = Path.GetFullPath(targetDirectory);
        Directory.CreateDirectory(target);
        using var zip = ZipFile.OpenRead(archive);
        var entries = zip.Entries.Select(e => (Entry: e, Name: e.FullName.Replace('\\', '/'))).ToList();
        foreach (var (_, name) in entries)
        {
            if (name.StartsWith('/') || Path.IsPathRooted(name) || (name.Length > 1 && name[1] == ':'))
                throw new InvalidDataException($"{archive}: entry '{name}' is an absolute path; refusing to extract the archive");
            var resolved = Path.GetFullPath(Path.Combine(target, name));
            if (!resolved.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException($"{archive}: entry '{name}' would be written outside {target}; refusing to extract the archive");
        }
        var topLevel = entries.Select(e => e.Name.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault())
            .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var clashes = topLevel.Where(t => Path.Exists(Path.Combine(target, t))).ToList();
        if (clashes.Count > 0)
            throw new InvalidDataException($"{target}: {string.Join(", ", clashes)} already exist(s); remove them or extract elsewhere");

        var staging = Path.Combine(target, $".extracting-{Guid.NewGuid():N}");
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
            foreach (var name in topLevel)
            {
                var from = Path.Combine(staging, name);
                if (Directory.Exists(from)) Directory.Move(from, Path.Combine(target, name));
                else File.Move(from, Path.Combine(target, name));
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return topLevel;
    }
}
