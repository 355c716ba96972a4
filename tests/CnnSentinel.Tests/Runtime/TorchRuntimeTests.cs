using System.Diagnostics;
using CnnSentinel.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Runtime;

public class TorchRuntimeTests
{
    static string TorchSharpNative => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void MissingVersionsAreExactlyThoseTheSystemLibStdCxxLacks()
    {
        var missing = TorchRuntime.MissingLibStdCxxVersions(TorchSharpNative);
        var system = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6" }.First(File.Exists);
        var defined = ElfSymbolVersions.Read(system).Definitions;
        var required = ElfSymbolVersions.Read(TorchSharpNative).Requirements.Where(r => r.Library == "libstdc++.so.6").Select(r => r.Version);
        Assert.Equal(required.Where(v => !defined.Contains(v)).Distinct().Order(), missing.Order());
    }

    [Fact]
    public void TheLoadedRuntimeReportsWhatItDid()
    {
        var report = TorchRuntime.EnsureLoaded();
        Assert.Same(report, TorchRuntime.EnsureLoaded()); // idempotent
        if (report.MissingVersions.Count == 0) Assert.Null(report.PatchedLibrary);
        else Assert.True(File.Exists(report.PatchedLibrary));
    }

    [Fact]
    public void PatchedCopyIsReusedAndADamagedOneIsRewritten()
    {
        var cache = TestEnvironment.NewTempDirectory();
        var first = TorchRuntime.PatchedCopy(TorchSharpNative, ["GLIBCXX_3.4.32"], cache);
        var written = File.GetLastWriteTimeUtc(first);
        Thread.Sleep(20);
        Assert.Equal(first, TorchRuntime.PatchedCopy(TorchSharpNative, ["GLIBCXX_3.4.32"], cache));
        Assert.Equal(written, File.GetLastWriteTimeUtc(first));

        File.WriteAllBytes(first, new byte[100]); // e.g. a disk that filled up
        Assert.Equal(first, TorchRuntime.PatchedCopy(TorchSharpNative, ["GLIBCXX_3.4.32"], cache));
        Assert.True(ElfSymbolVersions.Read(first).Requirements.Single(r => r.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.Empty(Directory.GetFiles(cache, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void TwoProcessesStartingAtOnceWithAnEmptyCacheBothWork()
    {
        var cache = TestEnvironment.NewTempDirectory();
        var processes = Enumerable.Range(0, 2).Select(_ => StartDoctor(cache)).ToList();
        foreach (var p in processes)
        {
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, output);
            Assert.Contains("torch compute: ok", output);
        }
        var copies = Directory.Exists(Path.Combine(cache, "native"))
            ? Directory.GetFiles(Path.Combine(cache, "native"), "*", SearchOption.AllDirectories)
            : [];
        var needsPatch = TorchRuntime.MissingLibStdCxxVersions(TorchSharpNative).Count > 0;
        Assert.Equal(needsPatch ? 1 : 0, copies.Length); // one copy, no temporary leftovers
    }

    [Fact]
    public void DeletedPatchedCopyIsRestoredOnNextStart()
    {
        var cache = TestEnvironment.NewTempDirectory();
        Assert.Equal(0, RunDoctor(cache));
        foreach (var file in Directory.GetFiles(cache, "*.so", SearchOption.AllDirectories)) File.Delete(file);
        Assert.Equal(0, RunDoctor(cache));
        if (TorchRuntime.MissingLibStdCxxVersions(TorchSharpNative).Count > 0)
            Assert.Single(Directory.GetFiles(cache, "libLibTorchSharp.so", SearchOption.AllDirectories));
    }

    [Fact]
    public void ATrainingStepLowersTheLossOnATinyProblem()
    {
        torch.manual_seed(1);
        // Two Gaussian blobs, labels 0 and 1: a linear model must separate them.
        var x = torch.cat([torch.randn(64, 2) + 2, torch.randn(64, 2) - 2]);
        var y = torch.cat([torch.zeros(64, dtype: ScalarType.Int64), torch.ones(64, dtype: ScalarType.Int64)]);
        var model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2));
        var optimizer = optim.SGD(model.parameters(), learningRate: 0.1);
        var loss = nn.CrossEntropyLoss();

        float Step()
        {
            optimizer.zero_grad();
            var value = loss.forward(model.forward(x), y);
            value.backward();
            optimizer.step();
            return value.item<float>();
        }

        var first = Step();
        float last = first;
        for (int i = 0; i < 50; i++) last = Step();
        Assert.True(last < first * 0.5f, $"loss went from {first} to {last}");
    }

    static Dictionary<string, string> CacheAt(string cache) => new() { [EnvironmentSettings.CacheVariable] = cache };

    static Process StartDoctor(string cache) => ExternalTools.Start("dotnet", [ExternalTools.Cli, "doctor"], CacheAt(cache));

    static int RunDoctor(string cache) => ExternalTools.Capture("dotnet", [ExternalTools.Cli, "doctor"], CacheAt(cache)).Code;
}
