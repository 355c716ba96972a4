using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace CnnSentinel.IO;

/// <summary>
/// The hidden work files of atomic writes (<c>.&lt;name&gt;.&lt;pid&gt;-&lt;machine&gt;.&lt;guid&gt;.tmp</c>) and staging folders
/// (<c>.extracting-&lt;pid&gt;-&lt;machine&gt;-&lt;guid&gt;</c>): removed when the process is stopped by SIGINT or SIGTERM, and, after a
/// harder stop (kill -9, power loss), by the next run that writes into the same folder (<see cref="RemoveStale"/>).
/// Every name carries the writer's process id and a token of its machine (<see cref="ProcessLiveness.MachineToken"/>: host,
/// boot, PID namespace), so a live writer's files are never touched, not even from another host or container sharing the
/// folder: those are left to a run on the writer's machine.
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
        // A file name has at most 255 bytes: a long target name is shortened in its work file's name.
        var name = Path.GetFileName(full);
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes) name = ShortenedName(name);
        return Track(Path.Combine(dir, $".{name}.{Environment.ProcessId}-{ProcessLiveness.MachineToken}.{Guid.NewGuid():N}.tmp"));
    }

    /// <summary>A hidden staging-folder path inside <paramref name="folder"/> (not created), tracked until <see cref="Release"/>.</summary>
    public static string StagingFolderIn(string folder) =>
        Track(Path.Combine(Path.GetFullPath(folder), $".extracting-{Environment.ProcessId}-{ProcessLiveness.MachineToken}-{Guid.NewGuid():N}"));

    /// <summary>Deletes <paramref name="path"/> (a lock file this process holds) if the process is stopped by SIGINT or SIGTERM, until <see cref="Release"/>.</summary>
    public static void DeleteOnSignal(string path) => Track(path);

    /// <summary>Stops tracking <paramref name="path"/> (it was renamed into place or deleted).</summary>
    public static void Release(string path) => InUse.TryRemove(path, out _);

    /// <summary>
    /// Deletes the work files and staging folders in <paramref name="folder"/> whose process, on this machine, is no longer
    /// running; returns what it removed. Those of another machine (host, container, boot), and unmarked ones of older
    /// versions, are left alone: whether their writer still runs cannot be known from here. Call it before writing into a folder.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        var removed = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, ".*"))
        {
            var name = Path.GetFileName(entry);
            var match = WorkFileName().Match(name) is { Success: true } file ? file : StagingFolderName().Match(name);
            if (!match.Success || match.Groups["machine"].Value != ProcessLiveness.MachineToken) continue;
            if (ProcessLiveness.IsRunning(int.Parse(match.Groups["pid"].Value), ProcessLiveness.Machine, startTicks: null) != false) continue;
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

    const int MaxNameBytes = 120;

    // The name's first characters and a digest of all of it, so that two long names still get different work files.
    static string ShortenedName(string name)
    {
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..16];
        var start = new System.Text.StringBuilder();
        foreach (var rune in name.EnumerateRunes())
        {
            if (System.Text.Encoding.UTF8.GetByteCount(start.ToString() + rune) > MaxNameBytes - 17) break;
            start.Append(rune.ToString());
        }
        return $"{start}~{digest}";
    }

    static void EnsureSignalHandlers()
    {
        if (_signals is not null || OperatingSystem.IsWindows()) return;
        lock (SignalLock)
        {
            // Kept in a static field: a registration that is collected stops handling the signal. The handler does
            // not cancel the signal, so the process still stops as it would have.
            _signals ??= [PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => DeleteAllAfterSignal()), PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DeleteAllAfterSignal())];
        }
    }

    // The handler runs beside the threads that write: one may be creating a tracked file (GDAL creates it after its path is
    // tracked) just after a pass, so the passes are repeated for a moment before the process stops.
    static void DeleteAllAfterSignal()
    {
        for (int pass = 0; pass < 4; pass++)
        {
            if (pass > 0) Thread.Sleep(50);
            DeleteAll();
        }
    }

    static void DeleteAll()
    {
        foreach (var path in InUse.Keys)
        {
            try
            {
                Delete(path);
                // What a writer put beside a work file: GDAL's .aux.xml (category names) and the COG driver's .ovr.tmp.
                if (Path.GetDirectoryName(path) is { } folder && Directory.Exists(folder))
                    foreach (var beside in Directory.EnumerateFiles(folder, Path.GetFileName(path) + ".*")) File.Delete(beside);
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

    [GeneratedRegex(@"^\..+\.(?<pid>\d+)-(?<machine>[0-9a-f]{8})\.[0-9a-f]{32}\.tmp(\..*)?$")]
    private static partial Regex WorkFileName();

    [GeneratedRegex(@"^\.extracting-(?<pid>\d+)-(?<machine>[0-9a-f]{8})-[0-9a-f]{32}$")]
    private static partial Regex StagingFolderName();
}
