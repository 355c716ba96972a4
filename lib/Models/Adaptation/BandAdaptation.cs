namespace CnnSentinel.Models;

/// <summary>How a network pretrained on RGB is made to read multispectral bands (see <see cref="MultispectralAdaptation"/>).</summary>
public enum BandAdaptation
{
    /// <summary>(a) A learnable 1×1 convolution bands → 3 in front of the whole network (the original's 04).</summary>
    Adapter,

    /// <summary>(b) A new, randomly initialised first convolution (the original's 04 alternative).</summary>
    ReplaceFirstConvolution,

    /// <summary>(c) The first convolution inflated: RGB filters on B04/B03/B02, the others from their mean.</summary>
    Inflate,
}
