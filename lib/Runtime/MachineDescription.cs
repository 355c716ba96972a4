using System.Runtime.InteropServices;

namespace CnnSentinel.Runtime;

/// <summary>A one-line description of this machine, recorded with training results (timings mean little without it).</summary>
internal static class MachineDescription
{
    /// <summary>Processor count, architecture and operating system, e.g. "2 cores (X64), Debian GNU/Linux 12".</summary>
    public static string Hardware => $"{Environment.ProcessorCount} cores ({RuntimeInformation.ProcessArchitecture}), {RuntimeInformation.OSDescription}";

    /// <summary><see cref="Hardware"/> and torch's thread count, e.g. "2 cores (X64), Debian GNU/Linux 12, torch 2 threads".</summary>
    public static string Current => $"{Hardware}, torch {TorchSharp.torch.get_num_threads()} threads";

    /// <summary>The one-minute load average (Linux's /proc/loadavg), as text; "unknown" elsewhere. A bench records it before and after.</summary>
    public static string LoadAverage => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>
    /// <see cref="Current"/> with the load average at the start of a measurement (<paramref name="loadBefore"/>, read from
    /// <see cref="LoadAverage"/> then) and now, as benches record the machine they measured on.
    /// </summary>
    public static string WithLoadSince(string loadBefore) => $"{Current}, load average {loadBefore} before and {LoadAverage} after";
}
