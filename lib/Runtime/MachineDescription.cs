using System.Runtime.InteropServices;

namespace CnnSentinel.Runtime;

/// <summary>A one-line description of this machine, recorded with training results (timings mean little without it).</summary>
public static class MachineDescription
{
    /// <summary>Processor count, architecture and operating system, e.g. "2 cores (X64), Debian GNU/Linux 12".</summary>
    public static string Hardware => $"{Environment.ProcessorCount} cores ({RuntimeInformation.ProcessArchitecture}), {RuntimeInformation.OSDescription}";

    /// <summary><see cref="Hardware"/> and torch's thread count, e.g. "2 cores (X64), Debian GNU/Linux 12, torch 2 threads".</summary>
    public static string Current => $"{Hardware}, torch {TorchSharp.torch.get_num_threads()} threads";
}
