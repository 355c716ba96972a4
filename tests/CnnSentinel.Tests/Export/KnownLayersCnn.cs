using CnnSentinel.Datasets;
using CnnSentinel.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Export;

/// <summary>
/// An architecture the exporters have no code for, sequential and built only from layers they know (nested sequences,
/// convolutions with and without bias, TorchSharp's own BatchNorm2d, ReLU, max pooling, dropout, a two-layer head):
/// it must export to ONNX and TF.js as it is. With another <c>activation</c> it holds a layer they do not know.
/// </summary>
sealed class KnownLayersCnn : PooledCnn
{
    readonly Func<nn.Module<Tensor, Tensor>> activation;

    public KnownLayersCnn(int bands = 3, Func<nn.Module<Tensor, Tensor>>? activation = null) : base(nameof(KnownLayersCnn), bands, EuroSatClasses.Count)
    {
        this.activation = activation ?? (() => nn.ReLU());
        Build(nn.Sequential(
                nn.Sequential(nn.Conv2d(bands, 16, 3, padding: 1), nn.BatchNorm2d(16), this.activation()),
                nn.MaxPool2d(2),
                nn.Sequential(nn.Conv2d(16, 24, 3, padding: 1, bias: false), nn.BatchNorm2d(24), this.activation()),
                nn.MaxPool2d(2),
                nn.Conv2d(24, 32, 1), this.activation()),
            nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, EuroSatClasses.Count)));
    }

    public override ImageClassifier WithBands(int bands) => new KnownLayersCnn(bands, activation);

    public override int? FeatureStride => 4;
}
