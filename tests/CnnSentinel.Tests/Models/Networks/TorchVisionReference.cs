using System.Diagnostics;

namespace CnnSentinel.Tests.Models;

/// <summary>
/// Runs tests/reference/torchvision_reference.py once per test run (Debian's python3-torch and
/// python3-torchvision, random weights) into a temp folder, and says why not where it cannot.
/// </summary>
public sealed class TorchVisionReference : IDisposable
{
    const string Python = "/usr/bin/python3";
    static readonly string[] Networks = ["vgg16", "densenet201", "resnet18", "resnet50"];

    static readonly string Script = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "reference", "torchvision_reference.py");

    public TorchVisionReference()
    {
        SkipReason = Unavailable();
        if (SkipReason is not null) return;
        Folder = TestEnvironment.NewTempDirectory("torchvision-reference");
        var (code, output) = Run(Script, Folder, string.Join(' ', Networks));
        if (code != 0) throw new InvalidOperationException($"{Script} failed ({code}): {output}");
    }

    /// <summary>Why the reference cannot be produced here, or null.</summary>
    public string? SkipReason { get; }

    /// <summary>The folder holding <c>&lt;network&gt;.pth</c> and <c>&lt;network&gt;_io.pth</c>.</summary>
    public string Folder { get; } = "";

    /// <summary>Whether torchvision's <paramref name="network"/> loads <paramref name="stateDict"/> strictly, and Python's output.</summary>
    public (bool Loaded, string Output) LoadsInTorchVision(string stateDict, string network)
    {
        var (code, output) = Run(Script, "--load", stateDict, network);
        return (code == 0, output);
    }

    /// <summary>Keys and shapes of torchvision's own VGG16 state dict (1000 classes), as the script prints them.</summary>
    public Dictionary<string, long[]> TorchVisionVgg16Shapes()
    {
        var (code, output) = Run(Script, "--shapes");
        if (code != 0) throw new InvalidOperationException($"{Script} --shapes failed ({code}): {output}");
        return System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long[]>>(output)!;
    }

    public void Dispose()
    {
        if (Folder.Length > 0) Directory.Delete(Folder, recursive: true);
    }

    static string? Unavailable()
    {
        if (!File.Exists(Python)) return $"{Python} is not installed";
        var (code, output) = Run("-c", "\"import torch, torchvision\"");
        return code == 0 ? null : $"{Python} cannot import torch and torchvision (install python3-torch, python3-torchvision): {output.Trim()}";
    }

    static (int Code, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python, string.Join(' ', arguments))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
