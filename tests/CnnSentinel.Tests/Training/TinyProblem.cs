using CnnSentinel.Loading;
using CnnSentinel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

/// <summary>A small real classification problem: three classes of 8×8 single-band images with a class-specific pattern plus noise.</summary>
static class TinyProblem
{
    public static (ITrainingData Train, ITrainingData Validation) Data(int perClass = 40, int batchSize = 16)
    {
        using var generator = new Generator(7);
        Tensor Make(int n)
        {
            var patterns = stack([
                linspace(0, 1, 8).unsqueeze(0).expand(8, 8),
                linspace(0, 1, 8).unsqueeze(1).expand(8, 8),
                ones(8, 8) * 0.5f,
            ]);
            var labels = arange(3, dtype: ScalarType.Int64).repeat_interleave(n);
            var images = patterns.index_select(0, labels).unsqueeze(1) + randn(3 * n, 1, 8, 8, generator: generator) * 0.3f;
            return stack([images.flatten(1), labels.to_type(ScalarType.Float32).unsqueeze(1).expand(-1, 64)]);
        }
        var train = Make(perClass);
        var val = Make(perClass / 2);
        return (
            new InMemoryTrainingData(train[0].reshape(-1, 1, 8, 8), train[1, TensorIndex.Colon, 0].to_type(ScalarType.Int64), batchSize, shuffle: true, seed: 42),
            new InMemoryTrainingData(val[0].reshape(-1, 1, 8, 8), val[1, TensorIndex.Colon, 0].to_type(ScalarType.Int64), batchSize, shuffle: false));
    }

    /// <summary>A small CNN with dropout and batch norm, so random state and buffers matter for exact resumption.</summary>
    public static nn.Module<Tensor, Tensor> Model(long seed = 1)
    {
        torch.manual_seed(seed);
        return nn.Sequential(
            nn.Conv2d(1, 8, 3, padding: 1), new CnnSentinel.Models.ScalarSafeBatchNorm2d(8), nn.ReLU(),
            nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Dropout(0.2), nn.Linear(32, 3));
    }

    /// <summary>
    /// Exact resumption, the scenario: a run of <paramref name="options"/> (given its checkpoint folder; 4 epochs of 8 steps)
    /// straight through; the same run stopped in the middle of its third epoch; and that run resumed by a fresh model with
    /// another seed, as a new process would (resuming must not depend on what is in memory).
    /// </summary>
    public static Interruption InterruptAndResume(Func<string, TrainerOptions> options)
    {
        var (train, val) = Data();
        var uninterrupted = Model();
        Trainer.Fit(uninterrupted, train, val, options(TestEnvironment.NewTempDirectory()));

        var dir = TestEnvironment.NewTempDirectory();
        var interrupted = Model();
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        var stopped = options(dir) with
        {
            // Stop in the middle of the third epoch (8 steps per epoch).
            Progress = new SynchronousProgress(p => { if (p.Completed is null && ++steps == 8 * 2 + 4) cancel.Cancel(); }),
        };
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Fit(interrupted, train, val, stopped, cancel.Token));
        var epochsSaved = Checkpoint.ReadHeader(Path.Combine(dir, stopped.LastCheckpointName)).Epoch;

        var resumed = Model(seed: 99);
        torch.manual_seed(12345);
        var result = Trainer.Fit(resumed, train, val, options(dir));
        return new Interruption(uninterrupted, interrupted, epochsSaved, resumed, result, dir, stopped);
    }

    /// <summary>What <see cref="InterruptAndResume"/> gives: the three models, the epochs the stopped run had saved, the resumed run's result and where it ran.</summary>
    public sealed record Interruption(nn.Module<Tensor, Tensor> Uninterrupted, nn.Module<Tensor, Tensor> Interrupted, int EpochsSaved,
        nn.Module<Tensor, Tensor> Resumed, TrainingResult Result, string Folder, TrainerOptions Options);
}
