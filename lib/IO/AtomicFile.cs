namespace CnnSentinel.IO;

/// <summary>
/// Writes files so that a reader never sees half of one: the content goes to a temporary file in
/// the same folder, which is then renamed over the target (rename is atomic on one file system).
/// Concurrent writers of the same content are safe; the last rename wins. A work file left by a stopped run is removed
/// on SIGINT/SIGTERM, or by the next run on the same machine. Public for programs that write beside the library's
/// outputs (reports, READMEs) and want the same guarantee.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically, creating its folder.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = TempPathFor(path);
        try
        {
            WriteDurably(temp, bytes);
            Commit(temp, path);
        }
        finally
        {
            Discard(temp); // no-op after a successful rename
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to the new file <paramref name="temp"/> and flushes it to disk, so that a full disk or a
    /// write error shows here (as an <see cref="IOException"/>) and not after the file has been renamed into place.
    /// </summary>
    internal static void WriteDurably(string temp, ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Flushes the closed file <paramref name="path"/> to disk (fsync); a write error the file system reports late shows here.</summary>
    internal static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Renames the finished <paramref name="temp"/> over <paramref name="path"/> (atomic on one file system).</summary>
    internal static void Commit(string temp, string path)
    {
        File.Move(temp, path, overwrite: true);
        TemporaryFiles.Release(temp);
    }

    /// <summary>Deletes <paramref name="temp"/> (and what a writer put beside it, such as GDAL's <c>.aux.xml</c>) if still there.</summary>
    internal static void Discard(string temp)
    {
        File.Delete(temp);
        File.Delete(temp + ".aux.xml");
        TemporaryFiles.Release(temp);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// A new temporary path in the folder of <paramref name="path"/> (created if missing), hidden and ending in
    /// <c>.tmp</c>, for writers that cannot write to a stream (GDAL): write there, then <see cref="Commit"/> or
    /// <see cref="Discard"/>. It is removed if the process is stopped by a signal, or by <see cref="TemporaryFiles.RemoveStale"/>
    /// after a harder stop.
    /// </summary>
    internal static string TempPathFor(string path) => TemporaryFiles.FileBeside(path);
}
