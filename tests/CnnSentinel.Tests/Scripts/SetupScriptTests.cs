using System.Text.Json.Nodes;

namespace CnnSentinel.Tests.Scripts;

/// <summary>
/// scripts/setup.sh must repair what a user deletes. These tests touch this machine's real Jupyter
/// kernelspec (tests run one at a time, so no notebook runs meanwhile) and put a copy back should the
/// script fail.
/// </summary>
public class SetupScriptTests
{
    static string Setup => Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "setup.sh");

    [Fact]
    public void RerunningSetupRestoresADeletedKernelspec()
    {
        var kernelDir = KernelspecDirectory() ?? throw new InvalidOperationException("The .net-csharp kernelspec is not installed: run scripts/setup.sh.");
        var backup = TestEnvironment.NewTempDirectory();
        foreach (var file in Directory.GetFiles(kernelDir)) File.Copy(file, Path.Combine(backup, Path.GetFileName(file)));
        try
        {
            Directory.Delete(kernelDir, recursive: true);
            Assert.Null(KernelspecDirectory());

            var (code, output) = Run(Setup, "kernelspec");
            Assert.True(code == 0, output);
            Assert.Contains("registering", output);
            var restored = KernelspecDirectory();
            Assert.NotNull(restored);
            var argv = JsonNode.Parse(File.ReadAllText(Path.Combine(restored, "kernel.json")))!["argv"]!.AsArray().Select(a => (string)a!).ToList();
            Assert.Equal(["/bin/sh", "-c"], argv.Take(2));
            var command = argv[2];
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-interactive");
            Assert.Contains($"exec \"{tool}\" jupyter", command);
            Assert.True(File.Exists(tool));
            Assert.Contains("--http-local-only", command);
            // The kernel restores CnnSentinel.Lib from this checkout's package folder unless told otherwise.
            Assert.Contains($"${{RestoreAdditionalProjectSources:-{Path.Combine(TestEnvironment.RepositoryRoot, "artifacts", "packages")}}}", command);
            Assert.Equal("{connection_file}", argv[3]);

            (code, output) = Run(Setup, "kernelspec"); // idempotent: nothing to do the second time
            Assert.True(code == 0, output);
            Assert.Contains("present", output);
        }
        finally
        {
            if (KernelspecDirectory() is null)
            {
                Directory.CreateDirectory(kernelDir);
                foreach (var file in Directory.GetFiles(backup)) File.Copy(file, Path.Combine(kernelDir, Path.GetFileName(file)));
            }
        }
    }

    [Fact]
    public void AnUnknownStepIsRefusedWithTheListOfSteps()
    {
        var (code, output) = Run(Setup, "make-coffee");
        Assert.NotEqual(0, code);
        Assert.Contains("unknown step 'make-coffee'", output);
        Assert.Contains("packages dotnet-tool kernelspec build web doctor", output);
    }

    static string? KernelspecDirectory()
    {
        var (_, json) = Run("jupyter", ["kernelspec", "list", "--json"], withStderr: false);
        var specs = JsonNode.Parse(json)!["kernelspecs"]!.AsObject();
        return specs.TryGetPropertyValue(".net-csharp", out var spec) ? (string?)spec!["resource_dir"] : null;
    }

    static (int Code, string Output) Run(string file, string step) => Run(file, [step], withStderr: true);

    static (int Code, string Output) Run(string file, string[] args, bool withStderr)
    {
        var (code, stdout, stderr) = ExternalTools.Capture(file, args);
        return (code, withStderr ? stdout + stderr : stdout);
    }
}
