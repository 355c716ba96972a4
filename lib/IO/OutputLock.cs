using System.Globalization;
using System.Text.Json;

namespace CnnSentinel.IO;

/// <summary>
/// An advisory lock on one set of outputs (a scene's maps, a training run's files): a lock file beside them, created with
/// <c>O_EXCL</c> (which NFS honours, unlike many <c>flock</c> set-ups), naming the host, the process id and its machine
/// (<see cref="ProcessLiveness"/>). A second run for the same outputs is refused with a message naming the first. A lock
/// left by a run that died is removed when this machine can tell that its process is gone; a lock of another host or
/// container is never guessed dead: the message says so, and what to delete if that run is over.
/// </summary>
internal sealed class OutputLock : IDisposable
{
    readonly string _path;
    readonly string _token;
    bool _released;

    OutputLock(string path, string token)
    {
        _path = path;
        _token = token;
    }

    /// <summary>The lock file.</summary>
    public string Path => _path;

    /// <summary>What a lock file holds.</summary>
    sealed record Holder(string Host, int ProcessId, string Machine, long? StartTicks, DateTime Since, string Token, string Command);

    /// <summary>
    /// Takes the lock <paramref name="path"/> for <paramref name="purpose"/> (e.g. "classify of scene.tif"), creating its folder,
    /// and holds it until disposed.
    /// </summary>
    /// <exception cref="UserErrorException">Another run holds it (named, with its host, process and start time), or a run that
    /// this machine cannot see held it; the message says when the file may be deleted by hand.</exception>
    public static OutputLock Acquire(string path, string purpose)
    {
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        for (int attempt = 0; ; attempt++)
        {
            var token = Guid.NewGuid().ToString("N");
            var me = new Holder(Environment.MachineName, Environment.ProcessId, ProcessLiveness.Machine, ProcessLiveness.StartTicks(Environment.ProcessId),
                DateTime.UtcNow, token, purpose);
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                {
                    stream.Write(JsonSerializer.SerializeToUtf8Bytes(me));
                    stream.Flush(flushToDisk: true);
                }
                TemporaryFiles.DeleteOnSignal(path);
                return new OutputLock(path, token);
            }
            catch (UnauthorizedAccessException)
            {
                throw new UnauthorizedAccessException($"{System.IO.Path.GetDirectoryName(path)}: cannot write there (permission denied or a read-only file system).");
            }
            catch (IOException) when (File.Exists(path))
            {
                var holder = Read(path);
                bool? running = holder is null ? null : ProcessLiveness.IsRunning(holder.ProcessId, holder.Machine, holder.StartTicks);
                if (running == false && attempt < 3 && BreakStale(path, holder!)) continue;
                throw new UserErrorException(Refusal(path, purpose, holder, running));
            }
        }
    }

    static string Refusal(string path, string purpose, Holder? holder, bool? running)
    {
        if (holder is null)
            return $"{path}: a lock file that cannot be read (a run may be starting, or one stopped while taking it); " +
                $"{purpose} waits for no one: if no run is writing these outputs, delete {path} and run again.";
        var who = $"{holder.Command} (process {holder.ProcessId} on {holder.Host}, since {holder.Since.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC)";
        return running == true
            ? $"{path}: these outputs are being written by {who}; wait for it to end, or give another output folder."
            : $"{path}: these outputs are locked by {who}, which cannot be checked from here (another host or container); " +
              $"if that run has ended, delete {path} and run again.";
    }

    // Moves the stale lock aside under a name of its own, and deletes it only if it is still the stale one; a fresh lock
    // that another process took meanwhile is put back.
    static bool BreakStale(string path, Holder stale)
    {
        var aside = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.stale";
        try
        {
            File.Move(path, aside);
        }
        catch (FileNotFoundException)
        {
            return true; // someone else removed it: try again
        }
        if (Read(aside)?.Token == stale.Token)
        {
            File.Delete(aside);
            return true;
        }
        try
        {
            File.Move(aside, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(aside); // a third process took the lock meanwhile; the one moved aside has lost it
        }
        return false;
    }

    static Holder? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Holder>(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock: deletes the lock file if it is still this run's.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        TemporaryFiles.Release(_path);
        if (Read(_path)?.Token == _token) File.Delete(_path);
    }
}
