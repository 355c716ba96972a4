using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Training;

/// <summary>
/// Which optimiser to train with, and its settings. The original used Adadelta (lr 1.0) for heads and
/// from-scratch runs, Adam for the multispectral runs and SGD (lr 1e-4, momentum 0.9) for fine-tuning.
/// </summary>
/// <param name="Name">adadelta, adam, adamw or sgd.</param>
/// <param name="LearningRate">The base learning rate (schedules scale it).</param>
/// <param name="Momentum">SGD momentum.</param>
/// <param name="WeightDecay">L2 penalty (decoupled for AdamW).</param>
public sealed record OptimizerSpec(string Name, double LearningRate, double Momentum = 0, double WeightDecay = 0)
{
    /// <summary>Adadelta, the original's choice for training a new head or a network from scratch.</summary>
    public static OptimizerSpec Adadelta(double learningRate = 1.0) => new("adadelta", learningRate);

    /// <summary>Adam, the original's choice for the multispectral runs.</summary>
    public static OptimizerSpec Adam(double learningRate = 1e-3) => new("adam", learningRate);

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    public static OptimizerSpec AdamW(double learningRate = 1e-3, double weightDecay = 1e-2) => new("adamw", learningRate, WeightDecay: weightDecay);

    /// <summary>SGD with momentum, the original's fine-tuning optimiser (lr 1e-4, momentum 0.9).</summary>
    public static OptimizerSpec Sgd(double learningRate = 1e-4, double momentum = 0.9) => new("sgd", learningRate, momentum);

    /// <summary>
    /// Each optimiser by name, once: its defaults (the factory above) and how it is built. The command line's
    /// <c>--optimizer</c> and <see cref="Create"/> both look names up here, so a name means the same everywhere.
    /// </summary>
    static readonly Dictionary<string, (Func<OptimizerSpec> Default, Func<OptimizerSpec, IEnumerable<Parameter>, OptimizerHelper> Build)> Known = new()
    {
        ["adadelta"] = (() => Adadelta(), (s, p) => new Optimizers.Adadelta(p, s.LearningRate, weight_decay: s.WeightDecay)),
        ["adam"] = (() => Adam(), (s, p) => new Optimizers.Adam(p, s.LearningRate, weight_decay: s.WeightDecay)),
        ["adamw"] = (() => AdamW(), (s, p) => new Optimizers.AdamW(p, s.LearningRate, weight_decay: s.WeightDecay)),
        ["sgd"] = (() => Sgd(), (s, p) => new Optimizers.SGD(p, s.LearningRate, momentum: s.Momentum, weight_decay: s.WeightDecay)),
    };

    /// <summary>The optimiser called <paramref name="name"/> (adadelta, adam, adamw or sgd) with its defaults, as its factory method gives it.</summary>
    /// <exception cref="UserErrorException">The name is not one of them.</exception>
    public static OptimizerSpec Named(string name) => Lookup(name).Default();

    /// <summary>
    /// Creates the optimiser over <paramref name="parameters"/>: TorchSharp's, with a step that keeps the scalars
    /// it passes to libtorch alive (<see cref="HeldScalars"/>); same state and checkpoint format.
    /// </summary>
    public OptimizerHelper Create(IEnumerable<Parameter> parameters) => Lookup(Name).Build(this, parameters);

    static (Func<OptimizerSpec> Default, Func<OptimizerSpec, IEnumerable<Parameter>, OptimizerHelper> Build) Lookup(string name) =>
        Known.TryGetValue(name, out var known) ? known : throw new UserErrorException($"Unknown optimiser '{name}': use {string.Join(", ", Known.Keys)}.");
}
