using System.CommandLine;
using CnnSentinel.Runtime;
using static TorchSharp.torch;

namespace CnnSentinel.Cli;

/// <summary>The <c>--device</c> option of train, evaluate and classify: where the model runs.</summary>
static class DeviceOption
{
    /// <summary>A new <c>--device</c> option, the CPU by default.</summary>
    public static Option<string> Create() =>
        new("--device") { Description = $"Where to compute: {ComputeDevice.Names}.", DefaultValueFactory = _ => "cpu" };

    /// <summary>The device the option names, refused with a message when it is unknown or not on this machine (needs torch loaded).</summary>
    public static Device Resolve(ParseResult parse, Option<string> option) => ComputeDevice.Parse(parse.GetValue(option)!);
}
