using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CnnSentinel.IO;

/// <summary>
/// Whether a process that left a file (a lock, a work file) is still running — answered only where this process can know.
/// A process id means something only on its machine, since its boot, in its PID namespace (containers, Slurm or
/// Kubernetes jobs on a shared file system see other ids); so a writer records <see cref="Machine"/>, and another process
/// judges the writer's id only when it sees the same machine. Elsewhere the answer is "cannot tell" (null), never a guess.
/// </summary>
internal static class ProcessLiveness
{
    static readonly Lazy<string> MachineText = new(Describe);

    /// <summary>
    /// This process's machine as process ids see it: host name, boot id and PID namespace on Linux (so two containers on one
    /// host, or one host before and after a reboot, differ); host name and process id only elsewhere.
    /// </summary>
    public static string Machine => MachineText.Value;

    /// <summary>A short hex digest of <see cref="Machine"/>, for file names.</summary>
    public static string MachineToken => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Machine)))[..8];

    /// <summary>When process <paramref name="pid"/> started, in the kernel's clock ticks since boot (Linux); null where unknown.</summary>
    public static long? StartTicks(int pid)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces; field 22 is the 20th after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether process <paramref name="pid"/> of <paramref name="machine"/> (started at <paramref name="startTicks"/>, when
    /// known) is still running: true or false when <paramref name="machine"/> is this one, null when this process cannot know
    /// (another host, container or boot, or a record without a machine).
    /// </summary>
    public static bool? IsRunning(int pid, string? machine, long? startTicks)
    {
        if (machine != Machine || Machine.Contains("unknown", StringComparison.Ordinal)) return null;
        if (!OperatingSystem.IsLinux()) return IsRunningElsewhere(pid);
        if (pid == Environment.ProcessId) return true;
        var started = StartTicks(pid);
        return started is not null && (startTicks is null || started == startTicks); // a reused id started later
    }

    static bool IsRunningElsewhere(int pid)
    {
        if (pid == Environment.ProcessId) return true;
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

    static string Describe()
    {
        var host = Environment.MachineName;
        if (!OperatingSystem.IsLinux()) return host;
        string Read(Func<string> read)
        {
            try
            {
                return read().Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "unknown";
            }
        }
        var boot = Read(() => File.ReadAllText("/proc/sys/kernel/random/boot_id"));
        var namespaceId = Read(() => new FileInfo("/proc/self/ns/pid").LinkTarget ?? "unknown");
        return $"{host} boot {boot} {namespaceId}";
    }
}
