namespace CnnSentinel.IO;

/// <summary>
/// Files that belong together (a scene's maps, legend and run record) published as one set: each is written in full to a
/// hidden work file beside its target, flushed to disk and checked, and only when every one of them is finished does
/// <see cref="Commit"/> rename them into place, in the order they were added. A failure before that (a full disk, a write
/// error that GDAL reports only on close) leaves every target as it was: the previous set stays whole.
/// </summary>
/// <remarks>
/// Renames need no space, so once the set is finished the commit cannot run out of it. The set may also remove targets
/// (<see cref="Remove"/>) that would describe the new files wrongly, such as a completion record; removals happen first.
/// </remarks>
internal sealed class OutputSet : IDisposable
{
    readonly List<(string Finished, string Target)> _files = [];
    readonly List<string> _removals = [];
    bool _committed;

    /// <summary>Writes <paramref name="bytes"/> to a work file for <paramref name="path"/>, flushed to disk, to be renamed there by <see cref="Commit"/>.</summary>
    public void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = AtomicFile.TempPathFor(path);
        try
        {
            AtomicFile.WriteDurably(temp, bytes);
        }
        catch
        {
            AtomicFile.Discard(temp);
            throw;
        }
        _files.Add((temp, path));
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to a work file for <paramref name="path"/> (<see cref="WriteAllBytes"/>).</summary>
    public void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Adds <paramref name="finished"/>, a work file (<see cref="AtomicFile.TempPathFor"/>) that a writer has closed and checked, to be
    /// renamed to <paramref name="path"/>; the set deletes it if it is not committed.
    /// </summary>
    public void Add(string finished, string path) => _files.Add((finished, path));

    /// <summary>Deletes <paramref name="path"/> at the start of <see cref="Commit"/> (nothing when it is not there).</summary>
    public void Remove(string path) => _removals.Add(path);

    /// <summary>Removes what was asked to go, then renames every finished file to its target, in the order added.</summary>
    public void Commit()
    {
        if (_committed) throw new InvalidOperationException("The output set was already committed.");
        foreach (var path in _removals) File.Delete(path);
        foreach (var (finished, target) in _files) AtomicFile.Commit(finished, target);
        _committed = true;
    }

    /// <summary>Deletes the work files of a set that was not committed; the targets are left as they were.</summary>
    public void Dispose()
    {
        if (_committed) return;
        foreach (var (finished, _) in _files)
        {
            try
            {
                AtomicFile.Discard(finished);
            }
            catch (IOException) { } // a work file that cannot go now is removed by the next run (TemporaryFiles.RemoveStale)
        }
        _files.Clear();
    }
}
