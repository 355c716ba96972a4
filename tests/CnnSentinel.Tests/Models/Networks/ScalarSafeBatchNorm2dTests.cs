using CnnSentinel.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Models;

public class ScalarSafeBatchNorm2dTests
{
    [Fact]
    public void GivesTorchSharpsBatchNormResultsInTrainingAndEvaluation()
    {
        manual_seed(3);
        using var reference = nn.BatchNorm2d(5);
        using var safe = new ScalarSafeBatchNorm2d(5);
        using (no_grad())
        {
            reference.weight.copy_(rand(5));
            reference.bias!.copy_(randn(5));
            safe.weight.copy_(reference.weight);
            safe.bias!.copy_(reference.bias);
        }
        reference.train();
        safe.train();
        for (int i = 0; i < 4; i++)
        {
            // One step at a time: TorchSharp's own layer is only safe while nothing collects garbage meanwhile.
            var x = randn(6, 5, 7, 7) * 3 + 1;
            TensorAssert.Identical(reference.forward(x), safe.forward(x), $"training output {i}");
        }
        TensorAssert.Identical(reference.running_mean!, safe.running_mean!, "running mean");
        TensorAssert.Identical(reference.running_var!, safe.running_var!, "running variance");
        Assert.Equal(4, safe.num_batches_tracked!.item<long>());
        Assert.Equal(reference.state_dict().Keys, safe.state_dict().Keys);

        reference.eval();
        safe.eval();
        var y = randn(2, 5, 3, 3);
        TensorAssert.Identical(reference.forward(y), safe.forward(y), "evaluation output");
        Assert.Equal(4, safe.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void CountsEveryBatchWhileAnotherThreadCollectsGarbage()
    {
        // The crash of full fine-tuning: a collection on another thread finalized the temporary scalars of
        // TorchSharp's num_batches_tracked.add_(1) while libtorch read them (TorchSharp's layer fails this within
        // seconds, with a garbage-scalar error or an abort).
        using var norm = new ScalarSafeBatchNorm2d(4);
        norm.train();
        var x = randn(2, 4, 2, 2);
        const int steps = 20_000;
        using var collector = new BackgroundCollector();
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            norm.forward(x);
        }
        Assert.True(collector.Collections > 10, $"only {collector.Collections} collections ran meanwhile");
        Assert.Equal(steps, norm.num_batches_tracked!.item<long>());
    }
}

/// <summary>Forces full collections, finalizers included, on a background thread until disposed.</summary>
sealed class BackgroundCollector : IDisposable
{
    volatile bool _stop;
    readonly Thread _thread;
    int _collections;

    public BackgroundCollector()
    {
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref _collections);
            }
        }) { IsBackground = true };
        _thread.Start();
    }

    public int Collections => Volatile.Read(ref _collections);

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
