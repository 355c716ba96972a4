using System.Text.Json;
using CnnSentinel.IO;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Reliability;

/// <summary>
/// Issue 28, "Nothing lost": full disks, two runs at once, refused reruns, work files and locks of other machines. Each case
/// is a row of the README's table "Interruptions and bad input".
/// </summary>
public sealed class NothingLostTests
{
    static (int Code, string Stdout, string Stderr) Cli(params string[] arguments) => ExternalTools.Capture("dotnet", [ExternalTools.Cli, .. arguments]);

    /// <summary>A 3 MiB tmpfs mounted at a new folder, or a skip saying why it cannot be had here.</summary>
    sealed class SmallFileSystem : IDisposable
    {
        public string Folder { get; }

        public SmallFileSystem()
        {
            Folder = Path.Combine(TestEnvironment.NewTempDirectory("full-disk"), "tmpfs");
            Directory.CreateDirectory(Folder);
            var (code, _, stderr) = ExternalTools.Capture("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", Folder]);
            Skip.If(code != 0, $"a full disk needs a small file system, and mounting a tmpfs failed here (root needed): {stderr.Trim()}");
        }

        /// <summary>Fills the file system until only about <paramref name="free"/> bytes are left.</summary>
        public void LeaveFree(long free)
        {
            var filler = Path.Combine(Folder, $"filler-{Guid.NewGuid():N}");
            using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write);
            var chunk = new byte[4096];
            try
            {
                while (true)
                {
                    stream.Write(chunk);
                    stream.Flush();
                }
            }
            catch (IOException) { }
            stream.SetLength(Math.Max(0, stream.Length - free));
        }

        public void Dispose() => ExternalTools.Capture("umount", [Folder]);
    }

    static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith("filler-", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f)!, File.ReadAllBytes);

    [SkippableFact]
    public void AFullDiskLeavesThePreviousMapSetWhole()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 0, 0, 256, 256);
        var model = TestRasters.SceneCnnWeights(dir, seed: 1);
        using var disk = new SmallFileSystem();
        var maps = Path.Combine(disk.Folder, "maps");
        var first = Cli("classify", crop, "--model", model, "--out", maps, "--stride", "4", "--threads", "1");
        Assert.True(first.Code == 0, first.Stdout + first.Stderr);
        var outputs = SceneOutputPaths.For(maps, crop, allProbabilities: false);
        var before = Snapshot(maps);
        long classes = before[Path.GetFileName(outputs.Classes)].Length, all = before.Values.Sum(b => (long)b.Length);

        // Room for nothing, for the class map only, for about half of the set: each rerun with another stride either fails and
        // leaves the finished set of the run before byte for byte, run record included, or (when it fitted after all) writes its
        // whole set.
        foreach (var (free, stride) in new[] { (16 * 1024L, "2"), (classes + 8 * 1024, "3"), (all / 2, "5") })
        {
            disk.LeaveFree(free);
            var full = Cli("classify", crop, "--model", model, "--out", maps, "--stride", stride, "--threads", "1");
            foreach (var filler in Directory.GetFiles(disk.Folder, "filler-*")) File.Delete(filler);
            var after = Snapshot(maps);
            Assert.Empty(Directory.GetFileSystemEntries(maps, ".*"));
            if (full.Code == 0)
            {
                Assert.Equal(stride, SceneRunRecord.Read(outputs.Run)!.Settings["stride"]);
                before = after;
                continue;
            }
            Assert.Equal(1, full.Code);
            Assert.Single(full.Stderr.TrimEnd().Split('\n'));
            Assert.StartsWith("classify: ", full.Stderr);
            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed ({free} bytes free): {full.Stderr}");
            Assert.Equal(256 * 256, ExternalTools.GdalInfo(outputs.Classes)["size"]!.AsArray().Select(v => (int)v!).Aggregate((a, b) => a * b));
            before = Snapshot(maps); // gdalinfo -stats keeps the statistics it computed in the .aux.xml
        }
        var again = Cli("classify", crop, "--model", model, "--out", maps, "--stride", "7", "--threads", "1");
        Assert.True(again.Code == 0, again.Stdout + again.Stderr);
        Assert.Equal("7", SceneRunRecord.Read(outputs.Run)!.Settings["stride"]);
        ExternalTools.GdalInfo(outputs.Classes);
        ExternalTools.GdalInfo(outputs.Probability);
    }

    [Fact]
    public void ARefusedRerunKeepsTheCompletionRecord()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 0, 0, 64, 64);
        var model = TestRasters.SceneCnnWeights(dir, seed: 1);
        var maps = Path.Combine(dir, "maps");
        Assert.Equal(0, Cli("classify", crop, "--model", model, "--out", maps, "--stride", "4").Code);
        var outputs = SceneOutputPaths.For(maps, crop, allProbabilities: false);
        var record = File.ReadAllText(outputs.Run);
        var damaged = Path.Combine(dir, "damaged.safetensors");
        File.WriteAllBytes(damaged, File.ReadAllBytes(model)[..100]);

        foreach (var (arguments, message) in new (string[], string)[]
        {
            (["--model", model, "--stride", "0"], "--stride 0: give at least 1 pixel"),
            (["--model", model, "--block-size", "65536"], "--block-size 65536: give 1 to 4096 pixels"),
            (["--model", model, "--batch-size", "0"], "--batch-size 0: give 1 to 4096 windows"),
            (["--model", model, "--mode", "adaptive", "--settled-above", "0.3"], "--settled-above 0.3: give a probability in 0.5–1"),
            (["--model", damaged, "--stride", "4"], damaged),
        })
        {
            var refused = Cli(["classify", crop, "--out", maps, .. arguments]);
            Assert.Equal(1, refused.Code);
            Assert.Contains(message, refused.Stderr);
            Assert.Single(refused.Stderr.TrimEnd().Split('\n'));
            Assert.Equal(record, File.ReadAllText(outputs.Run));
        }
        var rerun = Cli("classify", crop, "--model", model, "--out", maps, "--stride", "4");
        Assert.Contains("skipped", rerun.Stdout);
    }

    [Fact]
    public void ARerunWithoutProbabilitiesRemovesTheOldProbabilitiesFile()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = TestRasters.SceneCrop(dir, 0, 0, 64, 64);
        var model = TestRasters.SceneCnnWeights(dir, seed: 1);
        var maps = Path.Combine(dir, "maps");
        Assert.Equal(0, Cli("classify", crop, "--model", model, "--out", maps, "--stride", "4", "--probabilities").Code);
        var all = SceneOutputPaths.For(maps, crop, allProbabilities: true).Probabilities!;
        Assert.True(File.Exists(all));
        Assert.Equal(0, Cli("classify", crop, "--model", model, "--out", maps, "--stride", "4").Code);
        Assert.False(File.Exists(all));
        Assert.True(SceneOutputPaths.For(maps, crop, allProbabilities: false).AllExist);
    }

    [Fact]
    public async Task TwoClassifyRunsOfOneNameAtOnceNeverMixTheirFiles()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var model = TestRasters.SceneCnnWeights(dir, seed: 1);
        var a = Directory.CreateDirectory(Path.Combine(dir, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(dir, "b")).FullName;
        var inputA = Path.Combine(a, "tile.tif");
        var inputB = Path.Combine(b, "tile.tif");
        File.Move(TestRasters.SceneCrop(a, 0, 0, 192, 192), inputA);
        File.Move(TestRasters.SceneCrop(b, 200, 200, 192, 192), inputB);
        var maps = Path.Combine(dir, "maps");
        var outputs = SceneOutputPaths.For(maps, inputA, allProbabilities: false);

        // A run that holds the lock (here this test process) is named to the second one, which touches nothing.
        using (OutputLock.Acquire(Path.Combine(maps, "tile.lock"), "classify of the first tile"))
        {
            var refused = Cli("classify", inputB, "--model", model, "--out", maps);
            Assert.Equal(1, refused.Code);
            Assert.Contains("being written by classify of the first tile", refused.Stderr);
            Assert.Contains($"process {Environment.ProcessId}", refused.Stderr);
            Assert.False(File.Exists(outputs.Classes));
        }

        // Two real processes at once: one writes its whole set, the other is refused (by the lock, or, if it came second,
        // because the maps are another input's).
        string[] Arguments(string input) => ["classify", input, "--model", model, "--out", maps, "--stride", "2", "--threads", "1"];
        var runs = new[] { inputA, inputB }.Select(input => Task.Run(() => Cli(Arguments(input)))).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.Equal([0, 1], results.Select(r => r.Code).Order());
        var winner = results[0].Code == 0 ? inputA : inputB;
        Assert.Equal(winner, SceneRunRecord.Read(outputs.Run)!.Settings[SceneRunRecord.InputKey]);
        var legend = JsonDocument.Parse(File.ReadAllText(outputs.LegendJson));
        Assert.NotNull(legend);
        var classes = ExternalTools.GdalInfo(outputs.Classes);
        var expected = Path.Combine(dir, "expected");
        Assert.Equal(0, Cli(["classify", winner, "--model", model, "--out", expected, "--stride", "2", "--threads", "1"]).Code);
        Assert.Equal(File.ReadAllText(SceneOutputPaths.For(expected, winner, false).LegendJson), File.ReadAllText(outputs.LegendJson));
        Assert.Equal(ExternalTools.GdalInfo(SceneOutputPaths.For(expected, winner, false).Classes)["bands"]!.ToJsonString(), classes["bands"]!.ToJsonString());
        Assert.False(File.Exists(Path.Combine(maps, "tile.lock")));
    }

    [Fact]
    public void ASecondTrainIntoTheSameRunIsRefusedNamingTheFirst()
    {
        var dir = TestEnvironment.NewTempDirectory();
        using (OutputLock.Acquire(Path.Combine(dir, "smallcnn_rgb_scratch.lock"), "train of smallcnn_rgb_scratch"))
        {
            var (code, _, stderr) = Cli("train", "--model", "smallcnn", "--epochs", "1", "--steps", "1", "--batch", "8",
                "--data", Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb"), "--out", dir, "--seed", "7");
            Assert.Equal(1, code);
            Assert.Contains("being written by train of smallcnn_rgb_scratch", stderr);
            Assert.Empty(Directory.GetFiles(dir, "*.csv"));
        }
    }

    [Fact]
    public void AFinishedRecipeRunRerunWithOtherEpochsIsRefused()
    {
        var dir = TestEnvironment.NewTempDirectory();
        string[] Train(string epochs) => ["train", "--recipe", "fast", "--epochs", epochs, "--steps", "1", "--batch", "8",
            "--data", Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb"), "--out", dir];
        var first = Cli(Train("1"));
        Assert.True(first.Code == 0, first.Stdout + first.Stderr);
        var card = File.ReadAllText(Directory.GetFiles(dir, "*.md").Single());
        var other = Cli(Train("2"));
        Assert.Equal(1, other.Code);
        Assert.Contains("epochs was 1, now 2", other.Stderr);
        Assert.Single(other.Stderr.TrimEnd().Split('\n'));
        Assert.Equal(card, File.ReadAllText(Directory.GetFiles(dir, "*.md").Single()));
    }

    [Fact]
    public void LocksAndWorkFilesOfAnotherMachineAreNeverGuessedDead()
    {
        var dir = TestEnvironment.NewTempDirectory();
        int dead = Download.DatasetDownloadTests.DeadProcessId();
        var here = Path.Combine(dir, $".x_classes.tif.{dead}-{ProcessLiveness.MachineToken}.{Guid.NewGuid():N}.tmp");
        var elsewhere = Path.Combine(dir, $".x_classes.tif.{dead}-{(ProcessLiveness.MachineToken == "00000000" ? "11111111" : "00000000")}.{Guid.NewGuid():N}.tmp");
        var unmarked = Path.Combine(dir, $".x_classes.tif.{dead}.{Guid.NewGuid():N}.tmp");
        foreach (var file in new[] { here, elsewhere, unmarked }) File.WriteAllText(file, "half");
        Assert.Equal([here], TemporaryFiles.RemoveStale(dir));
        Assert.True(File.Exists(elsewhere) && File.Exists(unmarked));

        // A lock of a dead process on this machine is taken over; one of another host or container is not, and the message says why.
        var lockPath = Path.Combine(dir, "x.lock");
        string LockOf(int pid, string machine) => JsonSerializer.Serialize(new
        {
            Host = "node-7", ProcessId = pid, Machine = machine, StartTicks = (long?)null, Since = DateTime.UtcNow, Token = Guid.NewGuid().ToString("N"), Command = "classify of x.tif",
        });
        File.WriteAllText(lockPath, LockOf(dead, ProcessLiveness.Machine));
        using (OutputLock.Acquire(lockPath, "this test")) { }
        Assert.False(File.Exists(lockPath));
        File.WriteAllText(lockPath, LockOf(dead, "node-7 boot 0 pid:[1]"));
        var refused = Assert.Throws<UserErrorException>(() => OutputLock.Acquire(lockPath, "this test"));
        Assert.Contains("process", refused.Message);
        Assert.Contains("on node-7", refused.Message);
        Assert.Contains("cannot be checked from here", refused.Message);
        Assert.Contains($"delete {lockPath}", refused.Message);
        Assert.True(File.Exists(lockPath));
    }

    [Fact]
    public void CommandsStartedOutsideTheCheckoutFindItsFiles()
    {
        var elsewhere = TestEnvironment.NewTempDirectory();
        var results = ExternalTools.Capture("env", ["-C", elsewhere, "dotnet", ExternalTools.Cli, "results"]);
        Assert.True(results.Code == 0, results.Stderr);
        Assert.Contains("resnet18-imagenet_rgb_fast", results.Stdout);
        var export = ExternalTools.Capture("env", ["-C", elsewhere, "dotnet", ExternalTools.Cli, "export", "--to", "web", "--no-page"]);
        Assert.True(export.Code == 0, export.Stderr);
        Assert.True(File.Exists(Path.Combine(elsewhere, "web", "model.onnx")));
    }

    [Fact]
    public void AVeryLongInputNameIsClassified()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var crop = Path.Combine(dir, new string('t', 200) + ".tif");
        File.Move(TestRasters.SceneCrop(dir, 0, 0, 64, 64), crop);
        var model = TestRasters.SceneCnnWeights(dir, seed: 1);
        var maps = Path.Combine(dir, "maps");
        var (code, stdout, stderr) = Cli("classify", crop, "--model", model, "--out", maps, "--stride", "4");
        Assert.True(code == 0, stdout + stderr);
        Assert.True(SceneOutputPaths.For(maps, crop, false).AllExist);
        Assert.Empty(Directory.GetFileSystemEntries(maps, ".*"));
    }
}
