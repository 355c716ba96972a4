using System.Net;
using System.Text.RegularExpressions;
using CnnSentinel.Tests.Download;

namespace CnnSentinel.Tests.Scripts;

/// <summary>
/// The README's "Workshop in 15 minutes" works as written after set-up: its commands are read from the README and
/// run, changed only where a test must not touch what a participant's run made (outputs under <c>out/test-workshop</c>
/// through <see cref="EnvironmentSettings.OutputVariable"/>, a free port instead of 8000, a server that opens no browser).
/// </summary>
public class WorkshopStepsTests
{
    static string Root => TestEnvironment.RepositoryRoot;

    /// <summary>The commands in backticks of the README's workshop section.</summary>
    static IReadOnlyList<string> WorkshopCommands()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        int start = readme.IndexOf("## Workshop in 15 minutes", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no workshop section");
        int end = readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var section = readme[start..end];
        return Regex.Matches(section, @"`((?:\./run\.sh|jupyter |python3 -m http\.server|cnnsentinel )[^`]*)`").Select(m => m.Groups[1].Value).ToList();
    }

    static string Command(string startingWith) =>
        WorkshopCommands().FirstOrDefault(c => c.StartsWith(startingWith, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"The README's workshop section has no command starting with '{startingWith}'.");

    [Fact]
    public void TheShortRunOfThreeNotebooksRunsClean()
    {
        var command = Command("./run.sh --quick 00 02 07");
        var output = Path.Combine(Root, "out", "test-workshop");
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var (code, stdout, stderr) = ExternalTools.Capture("bash", ["-c", $"cd '{Root}' && {command}"],
            new Dictionary<string, string> { [EnvironmentSettings.OutputVariable] = output });
        Assert.True(code == 0, $"{command} exited with {code}:\n{stdout}\n{stderr}");
        foreach (var notebook in new[] { "00_getting_started", "02_rgb_transfer_learning", "07_interpret_results" })
        {
            Assert.True(File.Exists(Path.Combine(output, "notebooks", notebook + ".html")), $"{notebook}.html missing in {output}/notebooks:\n{stdout}");
            Assert.True(File.Exists(Path.Combine(output, "results", notebook + ".json")), $"{notebook} saved no results");
        }
    }

    [Fact]
    public async Task TheNotebookServerServesTheNotebooksWithTheDotNetKernel()
    {
        var command = Command("jupyter notebook");
        Assert.Equal("jupyter notebook notebooks/", command);
        int port = LoopbackFileServer.FreePort();
        var token = Guid.NewGuid().ToString("N");
        var headless = $" --no-browser --port={port} --port-retries=0 --ip=127.0.0.1 --NotebookApp.token={token}" +
            (Environment.UserName == "root" ? " --allow-root" : "");
        using var server = ExternalTools.Start("bash", ["-c", $"cd '{Root}' && exec {command}{headless}"]);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var kernels = await Poll(http, $"http://127.0.0.1:{port}/api/kernelspecs?token={token}", server);
            Assert.Contains("\".net-csharp\"", kernels);
            var contents = await Poll(http, $"http://127.0.0.1:{port}/api/contents/?token={token}", server);
            Assert.Contains("07_interpret_results.ipynb", contents);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    [Fact]
    public async Task TheCommandLineIsOnThePathAndTheWebPageIsServedAsTheReadmeSays()
    {
        // `cnnsentinel` as a participant types it (set-up's command step links it onto the PATH).
        var folder = TestEnvironment.NewTempDirectory();
        var (code, stdout, stderr) = ExternalTools.Capture("bash", ["-c", $"cd '{Root}' && cnnsentinel export --to '{folder}'"]);
        Assert.True(code == 0, $"cnnsentinel export exited with {code}: {stdout}{stderr}");
        Assert.True(File.Exists(Path.Combine(folder, "model.onnx")));

        var command = Command("cnnsentinel serve");
        Assert.Equal("cnnsentinel serve out/web", command);
        int port = LoopbackFileServer.FreePort();
        var served = command.Replace("out/web", $"'{folder}' --port {port}");
        using var server = ExternalTools.Start("bash", ["-c", $"cd '{Root}' && exec {served}"]);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Contains("model.onnx", await Poll(http, $"http://127.0.0.1:{port}/", server));
            using var model = await http.GetAsync($"http://127.0.0.1:{port}/model.onnx");
            Assert.Equal(new FileInfo(Path.Combine(folder, "model.onnx")).Length, (await model.Content.ReadAsByteArrayAsync()).Length);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    /// <summary>GETs <paramref name="url"/> until it answers 200 (a minute at most), failing early if the server exits.</summary>
    static async Task<string> Poll(HttpClient http, string url, System.Diagnostics.Process server)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            if (server.HasExited) Assert.Fail($"the server exited with {server.ExitCode}: {await server.StandardError.ReadToEndAsync()}");
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK) return await response.Content.ReadAsStringAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            Assert.True(DateTime.UtcNow < deadline, $"{url} did not answer within a minute");
            await Task.Delay(500);
        }
    }
}
