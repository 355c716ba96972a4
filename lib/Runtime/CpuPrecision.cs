namespace CnnSentinel.Runtime;

/// <summary>
/// Chooses the <see cref="ComputePrecision"/> for a <c>--precision float32|bf16|auto</c> option from what the CPU can do:
/// bfloat16 only where the CPU has instructions for it (the <c>avx512_bf16</c> or <c>amx_bf16</c> flag of Linux's
/// /proc/cpuinfo), since without them libtorch emulates it, slower than float32.
/// </summary>
public static class CpuPrecision
{
    /// <summary>The option's values, for help texts and messages.</summary>
    public const string Names = "float32, bf16 or auto (bf16 where the CPU has bfloat16 instructions, else float32)";

    /// <summary>The flags of /proc/cpuinfo that mean bfloat16 instructions.</summary>
    static readonly string[] Bf16Flags = ["avx512_bf16", "amx_bf16"];

    /// <summary>
    /// The option value that asks for <paramref name="precision"/>: <c>float32</c> or <c>bf16</c>, the short name that
    /// reports, their file names and the PyTorch reference scripts use too.
    /// </summary>
    public static string OptionValue(ComputePrecision precision) => precision == ComputePrecision.BFloat16 ? "bf16" : "float32";

    /// <summary>Whether this machine's CPU has bfloat16 instructions (false where /proc/cpuinfo cannot be read).</summary>
    public static bool HasBFloat16 => HasBFloat16In(File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "");

    /// <summary>Whether the <c>flags</c> lines of a /proc/cpuinfo text name a bfloat16 instruction set.</summary>
    internal static bool HasBFloat16In(string cpuinfo) =>
        cpuinfo.Split('\n').Where(line => line.StartsWith("flags", StringComparison.Ordinal))
            .Any(line => line.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries).Intersect(Bf16Flags).Any());

    /// <summary>
    /// The precision to compute in for the option value <paramref name="name"/> on a CPU that has bfloat16 instructions
    /// or not (<paramref name="cpuHasBFloat16"/>; this machine's when null). <paramref name="note"/> says why bf16 was
    /// asked for and not used; null otherwise.
    /// </summary>
    /// <exception cref="UserErrorException">The value is not one of <see cref="Names"/>.</exception>
    public static ComputePrecision Resolve(string name, out string? note, bool? cpuHasBFloat16 = null)
    {
        note = null;
        var text = name.Trim().ToLowerInvariant();
        if (text is "float32" or "fp32") return ComputePrecision.Float32;
        if (text is not ("bf16" or "bfloat16" or "auto")) throw new UserErrorException($"--precision {name}: give {Names}.");
        if (cpuHasBFloat16 ?? HasBFloat16) return ComputePrecision.BFloat16;
        if (text != "auto")
            note = $"--precision {name}: this CPU has no bfloat16 instructions ({string.Join(" or ", Bf16Flags)}), where bfloat16 is slower than float32: computing in float32.";
        return ComputePrecision.Float32;
    }
}
