using System.CommandLine;
using CnnSentinel.Runtime;

namespace CnnSentinel.Cli;

/// <summary>The <c>--precision</c> option of evaluate, classify and train: the number format the network computes in.</summary>
static class PrecisionOption
{
    /// <summary>A new <c>--precision</c> option, float32 by default.</summary>
    public static Option<string> Create() => new("--precision")
    {
        Description = $"Number format the network computes in: {CpuPrecision.Names}. bf16 is several times faster on a CPU with " +
                      "bfloat16 instructions: classify and evaluate give probabilities that differ slightly (bench precision measures both); " +
                      "train computes its steps in bf16 and keeps float32 master weights (bench trainer --precision BFloat16).",
        DefaultValueFactory = _ => "float32",
    };

    /// <summary>The precision the option asks for on this CPU; where bf16 is asked and the CPU lacks it, says so (prefixed by <paramref name="command"/>) and gives float32.</summary>
    public static ComputePrecision Resolve(ParseResult parse, Option<string> option, string command)
    {
        var precision = CpuPrecision.Resolve(parse.GetValue(option)!, out var note);
        if (note is not null) Console.WriteLine($"{command}: {note}");
        return precision;
    }
}
