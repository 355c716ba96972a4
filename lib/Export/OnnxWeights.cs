namespace CnnSentinel.Export;

/// <summary>How an exported ONNX graph stores the weights of its convolutions and linear layers.</summary>
public enum OnnxWeights
{
    /// <summary>As float32: the exported graph gives the network's own probabilities (to float rounding).</summary>
    Float32,

    /// <summary>
    /// As int8 with one float scale per output channel (<see cref="Int8Rounding"/>), dequantised to float32 when the graph
    /// runs (computation stays in float32, unless the export was given calibration windows: see <see cref="OnnxExport.ToBytes"/>):
    /// a file about a quarter the size, for a browser to download, with probabilities
    /// that differ slightly. The first layer weight, the convolution that reads the image, is stored as float16 instead;
    /// biases, batch norms that do not follow a convolution (the others are folded into it) and input standardisation stay float32.
    /// </summary>
    Int8,
}
