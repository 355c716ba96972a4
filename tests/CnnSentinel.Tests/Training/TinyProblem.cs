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
}
