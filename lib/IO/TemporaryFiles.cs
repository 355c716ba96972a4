using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace CnnSentinel.IO;

/// <summary>
/// The hidden work files of atomic writes (<c>.&lt;name&gt;.&lt;pid&gt;.&lt;guid&gt;.tmp</c>) and staging folders
/// (<c>.extracting-&lt;pid&gt;-&lt;guid&gt;</c>): removed when the process is stopped by SIGINT or SIGTERM, and, after a
/// harder stop (kill -9, power loss), by the next run that writes into the same folder (<see cref="RemoveStale"/>).
/// Every name carries the writer's process id, so a live writer's files are never touched.
/// </summary>
internal static partial class TemporaryFiles
{
    static readonly ConcurrentDictionary<string, byte> InUse = new(StringComparer.Ordinal);
    static readonly object SignalLock = new();
    static List<PosixSignalRegistration>? _signals;

    /// <summary>A hidden work-file path beside <paramref name="path"/>, tracked until <see cref="Release"/>.</summary>
    public static string FileBeside(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        return Track(Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
    }

    /// <summary>A hidden staging-folder path inside <paramref name="folder"/> (not created), tracked until <see cref="Release"/>.</summary>
    public static string StagingFolderIn(string folder) =>
        Track(Path.Combine(Path.GetFullPath(folder), $".extracting-{Environment.ProcessId}-{Guid.NewGuid():N}"));

    /// <summary>Stops tracking <paramref name="path"/> (it was renamed into place or deleted).</summary>
    public static void Release(string path) => InUse.TryRemove(path, out _);

    /// <summary>
    /// Deletes the work files and staging folders in <paramref name="folder"/> whose process is no longer running;
    /// returns what it removed. Call it before writing into a folder.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        var removed = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, ".*"))
        {
            var name = Path.GetFileName(entry);
            var match = WorkFileName().Match(name) is { Success: true } file ? file : StagingFolderName().Match(name);
            if (!match.Success || IsRunning(int.Parse(match.Groups["pid"].Value))) continue;
            try
            {
                Delete(entry);
                removed.Add(entry);
            }
            catch (IOException) { } // another process is removing it at the same moment
        }
        return removed;
    }

    static string Track(string path)
    {
        EnsureSignalHandlers();
        InUse[path] = 0;
        return path;
    }

    // The process id of a live writer is checked through /proc on Linux, and through Process elsewhere.
    static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static void EnsureSignalHandlers()
    {
        if (_signals is not null || OperatingSystem.IsWindows()) return;
        lock (SignalLock)
        {
            // Kept in a static field: a registration that is collected stops handling the signal. The handler does
            // not cancel the signal, so the process still stops as it would have.
            _signals ??= [PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => DeleteAll()), PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DeleteAll())];
        }
    }

    static void DeleteAll()
    {
        foreach (var path in InUse.Keys)
        {
            try
            {
                Delete(path);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Deletes the tracked work path <paramref name="path"/> (a staging folder or a work file) and stops tracking it.</summary>
    public static void Discard(string path)
    {
        Delete(path);
        Release(path);
    }

    /// <summary>Deletes <paramref name="path"/>, a folder with its content or a file; nothing when it is not there.</summary>
    internal static void Delete(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else File.Delete(path);
    }

    [GeneratedRegex(@"^\..+\.(?<pid>\d+)\.[0-9a-f]{32}\.tmp(\..*)?$")]
    private static partial Regex WorkFileName();

    [GeneratedRegex(@"^\.extracting-(?<pid>\d+)-[0-9a-f]{32}$")]
    private static partial Regex StagingFolderName();
}
