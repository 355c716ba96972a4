using System.Text.RegularExpressions;
using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Scripts;

/// <summary>
/// The ways to run a list of tiles on a scheduler (scripts/tiles/): each script is run as the scheduler would run it,
/// with the real <c>cnnsentinel classify</c> on two small crops of the bundled scene and the shipped model, and must
/// classify exactly its tiles — the local script both, a Slurm array task and a Kubernetes index the line of its index.
/// </summary>
public class TileSchedulerScriptTests
{
    static string Scripts => Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "tiles");

    static string Model => Path.Combine(TestEnvironment.RepositoryRoot, "data", "models", "resnet18-imagenet_rgb_fast-continued-context-radiometric.safetensors");

    /// <summary>Two crops listed in tiles.txt, and an output folder whose name has a space (the scripts must quote it).</summary>
    static (string[] Tiles, string List, string Out) TwoTiles(string dir)
    {
        string[] tiles = [TestRasters.SceneCrop(dir, 100, 100, 64, 64), TestRasters.SceneCrop(dir, 300, 200, 64, 64)];
        var list = Path.Combine(dir, "tiles.txt");
        File.WriteAllLines(list, tiles);
        return (tiles, list, Path.Combine(dir, "maps out"));
    }

    static Dictionary<string, string> Environment(params (string Key, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["CNNSENTINEL"] = $"dotnet {ExternalTools.Cli}" };
        foreach (var (key, value) in more) environment[key] = value;
        return environment;
    }

    static bool Done(string outDir, string tile) => SceneOutputPaths.For(outDir, tile, allProbabilities: false).AllExist;

    [Fact]
    public void TheLocalScriptClassifiesEveryTileAndARerunSkipsThem()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (tiles, list, outDir) = TwoTiles(dir);
        var script = Path.Combine(Scripts, "parallel.sh");

        var (code, stdout, stderr) = ExternalTools.Capture(script, [list, Model, outDir, "2"], Environment());
        Assert.True(code == 0, stdout + stderr);
        Assert.All(tiles, tile => Assert.True(Done(outDir, tile), stdout + stderr));
        var written = tiles.Select(t => File.GetLastWriteTimeUtc(SceneOutputPaths.For(outDir, t, false).Classes)).ToList();

        var rerun = ExternalTools.Capture(script, [list, Model, outDir, "2"], Environment());
        Assert.True(rerun.Code == 0, rerun.Stdout + rerun.Stderr);
        Assert.Equal(2, Regex.Matches(rerun.Stdout, "already done with the same input, model and options").Count);
        Assert.Equal(written, tiles.Select(t => File.GetLastWriteTimeUtc(SceneOutputPaths.For(outDir, t, false).Classes)).ToList());

        // The GNU parallel line (taken whether or not parallel is installed here): its command, with {} as a tile, is the
        // same classify of that tile, so it is skipped as done.
        var line = File.ReadLines(script).Select(l => l.Trim()).Single(l => l.StartsWith("parallel "));
        var command = Regex.Match(line, @" -q (.*) :::: ""\$tiles""$").Groups[1].Value;
        Assert.Contains("classify {}", command);
        var viaParallel = ExternalTools.Capture("bash", ["-c",
            $"set -eu; read -r -a cnnsentinel <<< \"$CNNSENTINEL\"; model=\"$1\" out=\"$2\" threads=1; {command.Replace("{}", "\"$3\"")}",
            "bash", Model, outDir, tiles[1]], Environment());
        Assert.True(viaParallel.Code == 0, viaParallel.Stdout + viaParallel.Stderr);
        Assert.Contains($"{tiles[1]}: already done", viaParallel.Stdout);
    }

    [Fact]
    public void ASlurmArrayTaskClassifiesTheLineOfItsIndex()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (tiles, list, outDir) = TwoTiles(dir);
        var script = Path.Combine(Scripts, "slurm-array.sbatch");
        Assert.Contains(File.ReadLines(script), l => l.StartsWith("#SBATCH --array="));

        // Slurm runs the batch script with the task's id in the environment; array ids here are the list's 1-based lines.
        var (code, stdout, stderr) = ExternalTools.Capture("bash", [script, list, Model, outDir],
            Environment(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_CPUS_PER_TASK", "1")));
        Assert.True(code == 0, stdout + stderr);
        Assert.True(Done(outDir, tiles[1]), stdout + stderr);
        Assert.False(Done(outDir, tiles[0]));

        var beyond = ExternalTools.Capture("bash", [script, list, Model, outDir], Environment(("SLURM_ARRAY_TASK_ID", "3")));
        Assert.NotEqual(0, beyond.Code);
        Assert.Contains($"no line 3 in {list}", beyond.Stderr);
    }

    [Fact]
    public void AKubernetesIndexedJobPodClassifiesTheLineAfterItsIndex()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var (tiles, list, outDir) = TwoTiles(dir);
        var yaml = File.ReadAllLines(Path.Combine(Scripts, "k8s-indexed-job.yaml"));
        Assert.Contains(yaml, l => l.Trim() == "completionMode: Indexed");
        Assert.Contains(yaml, l => l.Trim() == "command: [\"/bin/bash\", \"-c\"]");

        // The container's script: the block scalar under args, its lines indented deeper than its "- |".
        int start = Array.FindIndex(yaml, l => l.Trim() == "- |") + 1;
        int indent = yaml[start].Length - yaml[start].TrimStart().Length;
        var body = string.Join("\n", yaml.Skip(start).TakeWhile(l => l.Length - l.TrimStart().Length >= indent && l.Trim().Length > 0).Select(l => l[indent..]));
        Assert.Contains("classify \"$tile\"", body);

        // Kubernetes sets JOB_COMPLETION_INDEX from 0: index 1 is the second line.
        var (code, stdout, stderr) = ExternalTools.Capture("bash", ["-c", body],
            Environment(("JOB_COMPLETION_INDEX", "1"), ("TILES", list), ("MODEL", Model), ("OUT", outDir)));
        Assert.True(code == 0, stdout + stderr);
        Assert.True(Done(outDir, tiles[1]), stdout + stderr);
        Assert.False(Done(outDir, tiles[0]));
    }
}
