using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Reliability;

/// <summary>
/// Commands stopped part-way (SIGTERM, then kill -9 at a random moment), then run again with the same arguments: the
/// rerun ends with complete outputs and no hidden work files are left.
/// </summary>
public class InterruptionTests
{
    static readonly Random Moment = new();

    /// <summary>Starts the CLI, waits for a line starting with <paramref name="started"/>, then a random 0.2–1.5 s, and sends <paramref name="signal"/>.</summary>
    static void StopPartWay(string[] arguments, string started, string signal)
    {
        using var process = ExternalTools.Start("dotnet", [ExternalTools.Cli, .. arguments]);
        _ = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && !line.StartsWith(started, StringComparison.Ordinal)) { }
        Assert.True(line is not null, $"the command ended before printing '{started}'");
        Thread.Sleep(Moment.Next(200, 1500));
        if (!process.HasExited) ExternalTools.Run("kill", $"-{signal}", $"{process.Id}");
        process.WaitForExit();
        _ = process.StandardOutput.ReadToEnd();
    }

    static string[] HiddenEntries(string folder) => Directory.GetFileSystemEntries(folder, ".*");

    [Fact]
    public void ClassifyStoppedBySigtermOrKillThenRerunEndsCompleteAndClean()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 0, 0, 160, 160);
        var model = TestRasters.SceneCnnWeights(dir, seed: 1);
        var outDir = Path.Combine(dir, "maps");
        string[] classify = ["classify", crop, "--model", model, "--out", outDir, "--mode", "naive", "--stride", "2", "--threads", "1"];

        StopPartWay(classify, "classify: naive mode", "TERM");
        Assert.Empty(HiddenEntries(outDir)); // SIGTERM: the work files went with the process
        StopPartWay(classify, "classify: naive mode", "KILL");

        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, .. classify]);
        Assert.True(code == 0, stdout + stderr);
        Assert.DoesNotContain("skipped", stdout);
        var outputs = SceneOutputPaths.For(outDir, crop, allProbabilities: false);
        Assert.True(outputs.AllExist && File.Exists(outputs.Run));
        Assert.Empty(HiddenEntries(outDir)); // kill -9's leftovers were removed by the rerun
        Assert.Equal(160 * 160, ExternalTools.GdalInfo(outputs.Classes)["size"]!.AsArray().Select(v => (int)v!).Aggregate((a, b) => a * b));
    }

    [Fact]
    public void DownloadKilledAtARandomMomentThenRerunEndsCompleteAndClean()
    {
        // 1,500 stored (uncompressed) entries of 20 kB: long enough to be killed while downloading or extracting.
        using var memory = new MemoryStream();
        var random = new Random(5);
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            for (int i = 0; i < 1500; i++)
            {
                var bytes = new byte[20_000];
                random.NextBytes(bytes);
                using var entry = zip.CreateEntry($"EuroSAT_RGB/Forest/Forest_{i}.jpg", System.IO.Compression.CompressionLevel.NoCompression).Open();
                entry.Write(bytes);
            }
        using var server = new Download.LoopbackFileServer(memory.ToArray());
        var folder = TestEnvironment.NewTempDirectory();
        // Not the official archive: its own SHA-256 replaces the published MD5.
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(memory.ToArray()));
        string[] download = ["download", "rgb", "--to", folder, "--url", server.Url.ToString(), "--sha256", sha256];

        StopPartWay(download, "downloading", "KILL");
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, .. download]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(1500, Directory.GetFiles(Path.Combine(folder, "EuroSAT_RGB", "Forest")).Length);
        Assert.Equal([".rgb.complete"], HiddenEntries(folder).Select(Path.GetFileName));
        Assert.Equal(["EuroSAT_RGB"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')));
    }

    [Fact]
    public void TrainRemovesWorkFilesOfADeadRunAndChecksDataOnRequest()
    {
        var dir = TestEnvironment.NewTempDirectory();
        int dead = Download.DatasetDownloadTests.DeadProcessId();
        var stale = Path.Combine(dir, $".smallcnn_rgb_scratch.last.ckpt.{dead}-{IO.ProcessLiveness.MachineToken}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "half a checkpoint");
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "train", "--model", "smallcnn", "--epochs", "1", "--steps", "1",
            "--batch", "8", "--data", Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb"), "--out", dir, "--check-data"]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"removed {stale}", stdout);
        Assert.Contains("checking 500 patches", stdout);
        Assert.Empty(HiddenEntries(dir));

        var damaged = TestEnvironment.NewTempDirectory();
        foreach (var file in Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb"), "*.jpg", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(damaged, Path.GetRelativePath(Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        var broken = Directory.GetFiles(Path.Combine(damaged, "River")).Order(StringComparer.Ordinal).Last();
        File.WriteAllBytes(broken, File.ReadAllBytes(broken)[..200]);
        var output = TestEnvironment.NewTempDirectory();
        (code, stdout, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "train", "--model", "smallcnn", "--epochs", "1", "--steps", "1",
            "--batch", "2", "--data", damaged, "--out", output, "--check-data"]);
        Assert.Equal(1, code);
        Assert.Contains("1 damaged patch(es)", stderr);
        Assert.Contains(broken, stderr);
        Assert.Empty(Directory.GetFiles(output, "*.ckpt"));
    }

    [Fact]
    public void SplitRefusesBadFractionsAndOverwritingWithoutForce()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var manifest = Path.Combine(dir, "split.csv");
        var data = Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb");
        var (code, _, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "split", data, "--to", manifest, "--validation", "nan"]);
        Assert.Equal(1, code);
        Assert.Contains("--validation NaN: give a fraction between 0 and 1", stderr);
        Assert.False(File.Exists(manifest));

        ExternalTools.Run("dotnet", ExternalTools.Cli, "split", data, "--to", manifest);
        var written = File.ReadAllText(manifest);
        (code, _, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "split", data, "--to", manifest, "--seed", "7"]);
        Assert.Equal(1, code);
        Assert.Contains($"{manifest} exists; give --force to replace it", stderr);
        Assert.Equal(written, File.ReadAllText(manifest));
        ExternalTools.Run("dotnet", ExternalTools.Cli, "split", data, "--to", manifest, "--seed", "7", "--force");
        Assert.NotEqual(written, File.ReadAllText(manifest));
    }
}
