namespace CnnSentinel.Models;

/// <summary>Which classifier sits on top of a VGG16 or DenseNet201 backbone.</summary>
internal enum ClassifierHead
{
    /// <summary>
    /// The original CNN-Sentinel head: global average pooling, then (VGG16) Dense 2048 ReLU → Dense 2048 ReLU
    /// → Dense classes, or (DenseNet201) Dense 2048 ReLU → Dense classes. Works at any input size.
    /// </summary>
    Original,

    /// <summary>
    /// torchvision's own head, so that a complete torchvision state dict loads: VGG16's 7 × 7 adaptive
    /// pooling and 4096-4096 classifier with dropout, DenseNet201's single linear layer.
    /// </summary>
    TorchVision,
}
