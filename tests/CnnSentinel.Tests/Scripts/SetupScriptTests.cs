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
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-interactive");
            Assert.Equal([tool, "jupyter", "--default-kernel", "csharp", "--http-local-only", "{connection_file}"], argv);
            Assert.True(File.Exists(tool));
            // Nothing of this checkout in the machine-wide kernelspec: the notebooks find their package folder themselves.
            Assert.DoesNotContain("RestoreAdditionalProjectSources", File.ReadAllText(Path.Combine(restored, "kernel.json")));

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
    public void RerunningSetupRestoresADeletedCnnsentinelCommand()
    {
        const string link = "/usr/local/bin/cnnsentinel";
        var before = File.Exists(link) ? new FileInfo(link).LinkTarget : null;
        try
        {
            if (before is not null) File.Delete(link);
            var (code, output) = Run(Setup, "command");
            Assert.True(code == 0, output);
            Assert.Equal(Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "cnnsentinel"), new FileInfo(link).LinkTarget);

            // Typed as a user types it, outside any checkout: the linked checkout's build answers.
            var (helpCode, help, helpError) = ExternalTools.Capture("bash", ["-c", "cd / && cnnsentinel --help"]);
            Assert.True(helpCode == 0, helpError);
            Assert.Contains("CnnSentinel: CNN land-use classification", help);

            (code, output) = Run(Setup, "command"); // idempotent
            Assert.True(code == 0, output);
            Assert.Contains("present", output);
        }
        finally
        {
            if (before is not null && new FileInfo(link).LinkTarget != before)
            {
                File.Delete(link);
                File.CreateSymbolicLink(link, before);
            }
        }
    }

    [Fact]
    public void AnUnknownStepIsRefusedWithTheListOfSteps()
    {
        var (code, output) = Run(Setup, "make-coffee");
        Assert.NotEqual(0, code);
        Assert.Contains("unknown step 'make-coffee'", output);
        Assert.Contains("packages dotnet-tool kernelspec build command web doctor", output);
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
