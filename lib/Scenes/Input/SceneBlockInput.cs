using static TorchSharp.torch;

namespace CnnSentinel.Scenes;

/// <summary>What <see cref="SceneBlockReader"/> read for one block.</summary>
/// <param name="Input">The prepared input rows and columns of the block's windows, [C, rows, columns].</param>
/// <param name="CentreNoData">The block's own pixels without data, [bh, bw].</param>
/// <param name="InputCloud">With a cloud test: the cloud mask of the input, [rows, columns]; null without.</param>
/// <param name="CentreCloud">With a cloud test: the cloud mask of the block's own pixels, [bh, bw]; null without.</param>
internal sealed record SceneBlockInput(Tensor Input, Tensor CentreNoData, Tensor? InputCloud, Tensor? CentreCloud);
