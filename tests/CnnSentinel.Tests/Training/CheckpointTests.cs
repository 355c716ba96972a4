using CnnSentinel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

public class CheckpointTests
{
    static Checkpoint.Header Header(nn.Module model) =>
        new("tiny", 3, 0.5, Checkpoint.Shapes(model), new TrainerState(3, [], new(1, 0, 0), 0.5, 3, 0, null, []));

    [Fact]
    public void SavedWeightsAndOptimizerStateLoadBack()
    {
        var model = TinyProblem.Model(seed: 1);
        var optimizer = OptimizerSpec.Adam().Create(model.parameters());
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "tiny.ckpt");
        Checkpoint.Save(path, model, optimizer, Header(model));

        var other = TinyProblem.Model(seed: 2);
        var header = Checkpoint.Load(path, other, OptimizerSpec.Adam().Create(other.parameters()));
        Assert.Equal(3, header.Epoch);
        TensorAssert.SameState(model, other);
    }

    [Fact]
    public void ACheckpointOfAnotherArchitectureIsRefusedAndTheModelIsUntouched()
    {
        var model = TinyProblem.Model();
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "tiny.ckpt");
        Checkpoint.Save(path, model, null, Header(model));

        torch.manual_seed(3);
        var wider = nn.Sequential(nn.Conv2d(1, 16, 3, padding: 1), new CnnSentinel.Models.ScalarSafeBatchNorm2d(16), nn.ReLU(),
            nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 3));
        var before = ModelState.Copy(wider);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, wider));
        Assert.Contains(path, error.Message);
        Assert.Contains("0.weight has shape [8, 1, 3, 3] in the checkpoint, [16, 1, 3, 3] in the model", error.Message);
        TensorAssert.SameState(before, wider);
    }

    [Fact]
    public void TruncatedAndForeignFilesAreClearErrors()
    {
        var model = TinyProblem.Model();
        var dir = TestEnvironment.NewTempDirectory();
        var path = Path.Combine(dir, "tiny.ckpt");
        Checkpoint.Save(path, model, null, Header(model));
        var bytes = File.ReadAllBytes(path);

        var truncated = Path.Combine(dir, "truncated.ckpt");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 100)]);
        var before = ModelState.Copy(model);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(truncated, model));
        Assert.Contains(truncated, error.Message);
        TensorAssert.SameState(before, model);

        var foreign = Path.Combine(dir, "weights.pth");
        File.WriteAllText(foreign, "PK\u0003\u0004 a zip file");
        Assert.Contains("not a CnnSentinel checkpoint", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(foreign, model)).Message);
        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(Path.Combine(dir, "missing.ckpt"), model));
    }

    [Fact]
    public void FlippedBytesInTheWeightsAreRefusedByTheChecksum()
    {
        var model = TinyProblem.Model();
        var dir = TestEnvironment.NewTempDirectory();
        var path = Path.Combine(dir, "tiny.ckpt");
        Checkpoint.Save(path, model, null, Header(model));
        var bytes = File.ReadAllBytes(path);
        var random = new Random(7);
        for (int i = 0; i < 400; i++) bytes[bytes.Length / 2 + random.Next(bytes.Length / 3)] ^= 0x5A; // inside the tensors
        var flipped = Path.Combine(dir, "flipped.ckpt");
        File.WriteAllBytes(flipped, bytes);

        var before = ModelState.Copy(model);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(flipped, model));
        Assert.Contains(flipped, error.Message);
        Assert.Contains("checksum does not match", error.Message);
        Assert.Throws<InvalidDataException>(() => Checkpoint.ReadHeader(flipped));
        TensorAssert.SameState(before, model);
        Assert.Equal(3, Checkpoint.ReadHeader(path).Epoch); // the intact file still reads
    }
}
