using CnnSentinel.Scenes;

namespace CnnSentinel.Tests.Scenes;

/// <summary><see cref="SceneJob"/>: what <c>classify</c> does, called from code, with its run record and skip.</summary>
public class SceneJobTests
{
    [Fact]
    public void ClassifiesThenSkipsTheSameRequestAndClassifiesAnotherAgain()
    {
        TestEnvironment.LoadTorch();
        var dir = TestEnvironment.NewTempDirectory();
        var log = new StringWriter();
        var job = new SceneJob
        {
            Input = TestRasters.SceneCrop(dir, 100, 100, 64, 48), Model = TestRasters.SceneCnnWeights(dir, seed: 42),
            OutputFolder = Path.Combine(dir, "maps"), Stride = 2, Log = log,
        };
        var map = job.Run();
        Assert.NotNull(map);
        Assert.Equal(job.Outputs, map.Outputs);
        Assert.True(job.Outputs.AllExist);

        Assert.Null(job.Run());
        Assert.Contains("already done with the same input, model and options", log.ToString());

        Assert.NotNull((job with { Stride = 4 }).Run());
        Assert.Contains("stride changed", log.ToString());
    }

    [Fact]
    public void ABlockSizeOutOfRangeIsRefusedBeforeAnythingIsRead()
    {
        var dir = TestEnvironment.NewTempDirectory();
        var job = new SceneJob { Input = dir, Model = Path.Combine(dir, "none.safetensors"), OutputFolder = dir, BlockSize = SceneJob.MaxBlockSize + 1 };
        Assert.Contains("--block-size", Assert.Throws<UserErrorException>(() => job.Run()).Message);
    }
}
