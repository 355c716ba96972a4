using CnnSentinel.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Models;

/// <summary>
/// A small CNN for quick from-scratch runs (about 0.39 M parameters for RGB and 10 classes): four blocks of 3×3 conv + BN + ReLU +
/// 2×2 max pooling (32, 64, 128, 256 channels), global average pooling, dropout, one linear layer.
/// </summary>
internal sealed class SmallCnn : PooledCnn
{
    static readonly int[] Widths = [32, 64, 128, 256];

    /// <summary>Builds a randomly initialised small CNN.</summary>
    /// <param name="classes">Output logits.</param>
    /// <param name="bands">Input channels.</param>
    /// <param name="dropout">Dropout probability before the linear layer.</param>
    public SmallCnn(int classes = EuroSatClasses.Count, int bands = 3, double dropout = 0.2) : base(nameof(SmallCnn), bands, classes)
    {
        Dropout = dropout;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var channels = bands;
        foreach (var width in Widths)
        {
            layers.Add(nn.Conv2d(channels, width, kernel_size: 3, padding: 1, bias: false));
            layers.Add(new ScalarSafeBatchNorm2d(width));
            layers.Add(nn.ReLU(inplace: true));
            layers.Add(nn.MaxPool2d(kernel_size: 2, stride: 2));
            channels = width;
        }
        Build(nn.Sequential(layers), nn.Sequential(nn.Dropout(dropout), nn.Linear(channels, classes)));
    }

    /// <summary>Dropout probability before the linear layer.</summary>
    public double Dropout { get; }

    /// <inheritdoc />
    public override ImageClassifier WithBands(int bands) => new SmallCnn(Classes, bands, Dropout);

    /// <summary>Four 2×2 poolings: 16.</summary>
    public override int? FeatureStride => 16;
}
