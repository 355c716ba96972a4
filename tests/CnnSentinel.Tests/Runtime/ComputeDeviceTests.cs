using CnnSentinel.Evaluation;
using CnnSentinel.Models;
using CnnSentinel.Runtime;
using CnnSentinel.Scenes;
using CnnSentinel.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Runtime;

/// <summary>The device setting: names, the CPU default, and a clear refusal of a device the machine lacks, before any work.</summary>
public class ComputeDeviceTests
{
    [Fact]
    public void NamesResolveToDevices()
    {
        Assert.Equal(DeviceType.CPU, ComputeDevice.Parse("cpu").type);
        Assert.Equal(DeviceType.CPU, ComputeDevice.Parse(" CPU ").type);
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, ComputeDevice.Parse("auto").type);
        var error = Assert.Throws<UserErrorException>(() => ComputeDevice.Parse("gpu"));
        Assert.Contains("--device gpu", error.Message);
        Assert.Contains(ComputeDevice.Names, error.Message);
        Assert.Throws<UserErrorException>(() => ComputeDevice.Parse("cuda:-1"));
    }

    [SkippableFact]
    public void CudaIsRefusedWhereItIsMissing()
    {
        Skip.If(cuda.is_available(), "this machine has a CUDA GPU");
        foreach (var name in new[] { "cuda", "cuda:0", "cuda:3" })
            Assert.Contains("CUDA is not available", Assert.Throws<UserErrorException>(() => ComputeDevice.Parse(name)).Message);
    }

    [SkippableFact]
    public void EvaluationAndSceneClassificationRefuseAMissingDevice()
    {
        Skip.If(cuda.is_available(), "this machine has a CUDA GPU");
        var (_, validation) = TinyProblem.Data();
        var model = TinyProblem.Model();
        Assert.Contains("CUDA is not available",
            Assert.Throws<UserErrorException>(() => Evaluator.Evaluate(model, validation.Batches(0), ["a", "b", "c"], device: new Device(DeviceType.CUDA, 0))).Message);
        var network = new SceneCnn(10, 3);
        var options = new SceneClassifierOptions(TestRasters.RgbPreprocessing, Device: new Device(DeviceType.CUDA, 0));
        Assert.Contains("CUDA is not available", Assert.Throws<UserErrorException>(() => new SceneClassifier(WindowModel.For(network), options)).Message);
        Assert.All(network.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
    }

    [Fact]
    public void MovingToTheDeviceAModelIsOnLeavesItsTensorsAlone()
    {
        var model = TinyProblem.Model();
        var before = model.parameters().Select(p => p.Handle).ToList();
        ComputeDevice.MoveTo(model, CPU);
        Assert.Equal(before, model.parameters().Select(p => p.Handle));
        using var t = ones(2);
        Assert.Same(t, ComputeDevice.On(t, CPU));
    }
}
