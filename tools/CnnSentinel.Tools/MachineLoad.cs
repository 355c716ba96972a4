using CnnSentinel.Runtime;

namespace CnnSentinel.Tools;

/// <summary>
/// The load on this machine around a measurement: other work on a shared machine slows every run, so the benches record
/// the load average beside their figures.
/// </summary>
public static class MachineLoad
{
    /// <summary>The one-minute load average (Linux's /proc/loadavg), as text; "unknown" elsewhere. A bench records it before and after.</summary>
    public static string LoadAverage => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>
    /// <see cref="MachineDescription.Current"/> with the load average at the start of a measurement (<paramref name="loadBefore"/>, read from
    /// <see cref="LoadAverage"/> then) and now, as benches record the machine they measured on.
    /// </summary>
    public static string WithLoadSince(string loadBefore) => $"{MachineDescription.Current}, load average {loadBefore} before and {LoadAverage} after";
}
