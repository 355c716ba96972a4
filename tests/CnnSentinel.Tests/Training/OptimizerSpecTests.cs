using CnnSentinel.Training;
using TorchSharp;

namespace CnnSentinel.Tests.Training;

public class OptimizerSpecTests
{
    [Fact]
    public void ANameMeansTheFactoryDefaults()
    {
        Assert.Equal(OptimizerSpec.Adadelta(), OptimizerSpec.Named("adadelta"));
        Assert.Equal(OptimizerSpec.Adam(), OptimizerSpec.Named("adam"));
        Assert.Equal(OptimizerSpec.AdamW(), OptimizerSpec.Named("adamw"));
        // The original fine-tuned with SGD at lr 1e-4, momentum 0.9; the command line's --optimizer sgd means the same.
        Assert.Equal(new OptimizerSpec("sgd", 1e-4, 0.9), OptimizerSpec.Named("sgd"));
    }

    [Fact]
    public void EveryNamedOptimiserCanBeCreated()
    {
        using var layer = torch.nn.Linear(2, 1);
        foreach (var name in new[] { "adadelta", "adam", "adamw", "sgd" })
            Assert.NotNull(OptimizerSpec.Named(name).Create(layer.parameters()));
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var error = Assert.Throws<UserErrorException>(() => OptimizerSpec.Named("rmsprop"));
        Assert.Contains("adadelta, adam, adamw, sgd", error.Message);
        Assert.Throws<UserErrorException>(() => new OptimizerSpec("rmsprop", 0.1).Create([]));
    }
}
