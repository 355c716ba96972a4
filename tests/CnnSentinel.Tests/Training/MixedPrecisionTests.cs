using System.Text.Json.Nodes;
using CnnSentinel.Loading;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Training;

/// <summary><see cref="TrainerOptions.Precision"/> bfloat16: float32 masters, bfloat16 layers during the steps only.</summary>
public class MixedPrecisionTests
{
    static TrainerOptions Options(string? dir = null, int epochs = 4) => new()
    {
        ModelName = "tiny",
        Tag = "bf16",
        Epochs = epochs,
        Optimizer = OptimizerSpec.Adam(0.01),
        CheckpointDirectory = dir,
        Precision = ComputePrecision.BFloat16,
    };

    [Fact]
    public void ABFloat16RunLearnsTheTinyProblemAndGivesBackAFloat32Model()
    {
        var (train, val) = TinyProblem.Data();
        var model = TinyProblem.Model();
        var result = Trainer.Fit(model, train, val, Options(epochs: 6));
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.True(result.BestValidationAccuracy > 0.9, $"best validation accuracy {result.BestValidationAccuracy}");
        foreach (var (name, entry) in model.state_dict().Where(e => e.Value.is_floating_point()))
            Assert.True(entry.dtype == ScalarType.Float32, $"{name} is {entry.dtype} after training");
    }

    /// <summary>
    /// One step of plain SGD at learning rate 1 moves each weight by its gradient, so the update of a bfloat16 step is
    /// the gradient the masters received. bfloat16 keeps 8 significant bits, and through a ResNet18's 20 layers (random
    /// weights, random images: small gradients) the first layers' gradients point only about 0.9 the same way as
    /// float32's, in PyTorch's own autocast too. So the reference is PyTorch (autocast with channels-last, as the library
    /// computes): from the same weights and batch, each convolution's and the head's update must differ from float32's
    /// as PyTorch's autocast gradient does, within 0.02 in cosine and in norm ratio, and the head, next to the float32
    /// loss, within 0.001 of float32's direction. A batch norm's gradients are sums over every pixel of the batch, whose
    /// bfloat16 rounding depends on the order of the sum, which the channels-last batch-norm kernels of PyTorch 1.13 and
    /// of TorchSharp's libtorch choose differently (measured: up to 0.045 apart, either side nearer float32): each within
    /// 0.06, and on average as far from float32 as PyTorch's, within 0.01.
    /// </summary>
    [Fact]
    public void ABFloat16StepDiffersFromAFloat32StepAsPyTorchsAutocastDoes()
    {
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "reference", "autocast_reference.py");
        using var generator = new Generator(3);
        var images = rand(16, 3, 64, 64, generator: generator) * 255;
        var labels = randint(0, 4, [16], generator: generator, dtype: ScalarType.Int64);
        var data = new InMemoryTrainingData(images, labels, 16, shuffle: false);
        var options = new TrainerOptions { Epochs = 1, StepsPerEpoch = 1, Optimizer = OptimizerSpec.Sgd(1, 0), RestoreBestWeights = false };

        var folder = TestEnvironment.NewTempDirectory("autocast");
        var initialModel = Network();
        var initial = ModelState.Copy(initialModel);
        StateDictFile.Save(initialModel, Path.Combine(folder, "state.pth"));
        StateDictFile.Save(new Batch(images, labels), Path.Combine(folder, "batch.pth"));
        var pytorch = JsonNode.Parse(ExternalTools.Run("/usr/bin/python3", script, Path.Combine(folder, "state.pth"), Path.Combine(folder, "batch.pth")))!;

        var float32 = Network();
        Trainer.Fit(float32, data, data, options);
        var bfloat16 = Network();
        Trainer.Fit(bfloat16, data, data, options with { Precision = ComputePrecision.BFloat16 });

        var batchNorms = float32.named_modules().Where(m => m.module is BatchNorm).Select(m => m.name + ".").ToList();
        var normDeviations = new List<(double Ours, double PyTorch)>();
        foreach (var (name, after32) in float32.named_parameters())
        {
            var update32 = (initial[name] - after32).flatten();
            var update16 = (initial[name] - bfloat16.get_parameter(name)!).flatten();
            double norm32 = update32.norm().item<float>(), norm16 = update16.norm().item<float>();
            double cosine = update32.dot(update16).item<float>() / (norm32 * norm16), ratio = norm16 / norm32;
            double referenceCosine = (double)pytorch[name]![0]!, referenceRatio = (double)pytorch[name]![1]!;
            bool batchNorm = batchNorms.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
            double tolerance = batchNorm ? 0.06 : 0.02;
            Assert.True(Math.Abs(cosine - referenceCosine) <= tolerance,
                $"{name}: cosine {cosine:0.0000} between the float32 and bfloat16 updates; PyTorch's autocast {referenceCosine:0.0000}");
            Assert.True(Math.Abs(ratio - referenceRatio) <= tolerance,
                $"{name}: bfloat16 update norm {ratio:0.0000} of float32's; PyTorch's autocast {referenceRatio:0.0000}");
            if (name.StartsWith("fc.", StringComparison.Ordinal)) Assert.True(cosine >= 0.999, $"{name}: cosine {cosine:0.0000}");
            if (batchNorm)
            {
                normDeviations.Add((1 - cosine, 1 - referenceCosine));
                normDeviations.Add((Math.Abs(1 - ratio), Math.Abs(1 - referenceRatio)));
            }
        }
        Assert.NotEmpty(normDeviations);
        double ours = normDeviations.Average(d => d.Ours), theirs = normDeviations.Average(d => d.PyTorch);
        Assert.True(Math.Abs(ours - theirs) <= 0.01, $"batch norms: mean deviation from float32 {ours:0.0000}; PyTorch's autocast {theirs:0.0000}");
        ModelState.Dispose(initial);

        ImageClassifier Network()
        {
            manual_seed(5);
            return ModelCatalog.Create("resnet18", 4, 3);
        }
    }

    [Fact]
    public void FrozenLayersAndTheInputNormalizationComeBackBitForBit()
    {
        var (train, val) = ImagesOf64();
        manual_seed(2);
        var model = ModelCatalog.PretrainedResNet18(3);
        model.Freeze();
        model.Unfreeze("fc");
        var before = ModelState.Copy(model);
        Trainer.Fit(model, train, val, new TrainerOptions { Epochs = 1, Optimizer = OptimizerSpec.Adam(1e-3), Precision = ComputePrecision.BFloat16 });

        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.NotEmpty(frozen);
        foreach (var name in frozen) TensorAssert.Identical(before[name], model.get_parameter(name)!, name);
        foreach (var (name, buffer) in model.named_buffers().Where(b => !b.name.Contains("running") && !b.name.Contains("num_batches")))
            TensorAssert.Identical(before[name], buffer, name);
        Assert.False(before["fc.weight"].eq(model.get_parameter("fc.weight")!).all().item<bool>(), "the trainable head did not move");
        ModelState.Dispose(before);
    }

    [Fact]
    public void AnInterruptedBFloat16RunResumesToTheSameWeights()
    {
        var run = TinyProblem.InterruptAndResume(dir => Options(dir));
        foreach (var (name, entry) in run.Interrupted.state_dict().Where(e => e.Value.is_floating_point()))
            Assert.True(entry.dtype == ScalarType.Float32, $"{name} is {entry.dtype} after the interruption");
        Assert.Equal(2, run.Result.ResumedFromEpoch);
        TensorAssert.SameState(run.Uninterrupted, run.Resumed);
    }

    [Fact]
    public void AModuleWithParametersBesideItsLayersIsRefusedNamingIt()
    {
        var (train, val) = TinyProblem.Data();
        var error = Assert.Throws<NotSupportedException>(() =>
            Trainer.Fit(new ScaledNetwork(), train, val, Options(epochs: 1)));
        Assert.Contains("ScaledNetwork", error.Message);
        Assert.Contains("float32", error.Message);
    }

    /// <summary>Forty 64 × 64 RGB images of three classes told apart by their mean colour.</summary>
    static (ITrainingData Train, ITrainingData Validation) ImagesOf64()
    {
        using var generator = new Generator(11);
        var labels = arange(3, dtype: ScalarType.Int64).repeat(14)[..40];
        var images = rand(40, 3, 64, 64, generator: generator) * 60 + nn.functional.one_hot(labels, 3).to_type(ScalarType.Float32).view(40, 3, 1, 1) * 150;
        return (new InMemoryTrainingData(images, labels, 8, shuffle: true, seed: 1), new InMemoryTrainingData(images, labels, 8, shuffle: false));
    }

    /// <summary>A batch as a state dict (<c>images</c>, <c>labels</c>), for the Python side.</summary>
    sealed class Batch : nn.Module
    {
        public Batch(Tensor images, Tensor labels) : base(nameof(Batch))
        {
            register_buffer("images", images);
            register_buffer("labels", labels);
        }
    }

    /// <summary>A learnt scale of its own beside a layer: which type its product would take cannot be told.</summary>
    sealed class ScaledNetwork : nn.Module<Tensor, Tensor>
    {
        readonly Parameter scale = new(ones(1));
        readonly nn.Module<Tensor, Tensor> body = nn.Sequential(nn.Flatten(), nn.Linear(64, 3));

        public ScaledNetwork() : base(nameof(ScaledNetwork)) => RegisterComponents();

        public override Tensor forward(Tensor input) => body.call(input) * scale;
    }
}
