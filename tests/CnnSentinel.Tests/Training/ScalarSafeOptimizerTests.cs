using CnnSentinel.Tests.Models;
using CnnSentinel.Training;
using Optimizers = CnnSentinel.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

public class ScalarSafeOptimizerTests
{
    public static TheoryData<string> Kinds => ["sgd", "sgd-nesterov", "adam", "adamw", "adadelta"];

    static OptimizerHelper TorchSharps(string kind, IEnumerable<Parameter> p) => kind switch
    {
        "sgd" => optim.SGD(p, 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01),
        "sgd-nesterov" => optim.SGD(p, 0.05, momentum: 0.9, weight_decay: 0.01, nesterov: true),
        "adam" => optim.Adam(p, 0.01, weight_decay: 0.01),
        "adamw" => optim.AdamW(p, 0.01, weight_decay: 0.05),
        _ => optim.Adadelta(p, 1.0, weight_decay: 0.01),
    };

    static OptimizerHelper Safe(string kind, IEnumerable<Parameter> p) => kind switch
    {
        "sgd" => new Optimizers.SGD(p, 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01),
        "sgd-nesterov" => new Optimizers.SGD(p, 0.05, momentum: 0.9, weight_decay: 0.01, nesterov: true),
        "adam" => new Optimizers.Adam(p, 0.01, weight_decay: 0.01),
        "adamw" => new Optimizers.AdamW(p, 0.01, weight_decay: 0.05),
        _ => new Optimizers.Adadelta(p, 1.0, weight_decay: 0.01),
    };

    static (nn.Module<Tensor, Tensor> Model, OptimizerHelper Optimizer) Setup(string kind, bool safe)
    {
        manual_seed(11);
        var model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3));
        return (model, safe ? Safe(kind, model.parameters()) : TorchSharps(kind, model.parameters()));
    }

    static void Steps(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, int count)
    {
        using var generator = new Generator(5);
        for (int i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var x = randn(16, 6, generator: generator);
            var y = randint(0, 3, [16], generator: generator);
            nn.functional.cross_entropy(model.forward(x), y).backward();
            optimizer.step();
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepsLikeTorchSharpsOptimizer(string kind)
    {
        var (expected, reference) = Setup(kind, safe: false);
        var (actual, safe) = Setup(kind, safe: true);
        Steps(expected, reference, 25);
        Steps(actual, safe, 25);
        foreach (var (key, value) in expected.state_dict())
            Assert.True(value.allclose(actual.state_dict()[key], rtol: 1e-5, atol: 1e-7), $"{kind}: {key} differs after 25 steps");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SavesStateThatTorchSharpsOptimizerLoads(string kind)
    {
        var (model, safe) = Setup(kind, safe: true);
        Steps(model, safe, 3);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) safe.save_state_dict(writer);
        stream.Position = 0;
        var (_, reference) = Setup(kind, safe: false);
        using var reader = new BinaryReader(stream);
        reference.load_state_dict(reader);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void AdamWTrainsWhileAnotherThreadCollectsGarbage()
    {
        var (model, optimizer) = Setup("adamw", safe: true);
        using (new BackgroundCollector()) Steps(model, optimizer, 400);
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }
}
