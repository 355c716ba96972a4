using System.Runtime.CompilerServices;
using CnnSentinel.Runtime;

// One test at a time: torch's random generator is global to the process (a test drawing random numbers
// beside a seeded training run would change its dropout masks), notebook runs start kernels, and the
// set-up test removes the kernelspec for a moment.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CnnSentinel.Tests;

/// <summary>Process-wide set-up for the test assembly and paths the tests share.</summary>
static class TestEnvironment
{
    /// <summary>Tests call <c>torch</c> directly; load the native runtime before any of them runs.</summary>
    [ModuleInitializer]
    internal static void LoadTorch() => TorchRuntime.EnsureLoaded();

    /// <summary>The repository root (the folder holding CnnSentinel.Lib.csproj).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>A new empty folder under the system temp folder, for one test.</summary>
    public static string NewTempDirectory([CallerMemberName] string name = "")
    {
        var dir = Path.Combine(Path.GetTempPath(), "cnnsentinel-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CnnSentinel.Lib.csproj"))) return dir.FullName;
        throw new InvalidOperationException($"CnnSentinel.Lib.csproj not found above {AppContext.BaseDirectory}.");
    }
}
