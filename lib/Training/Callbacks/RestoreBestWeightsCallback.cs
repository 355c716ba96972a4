using static TorchSharp.torch;

namespace CnnSentinel.Training.Callbacks;

/// <summary>
/// Keeps a copy of the weights of the epoch with the best validation accuracy and puts it back at the end
/// (<see cref="TrainerCallback.RestoreBestWeights"/>). After a resume, the copy comes from the best checkpoint.
/// </summary>
internal sealed class RestoreBestWeightsCallback : TrainerCallback
{
    Dictionary<string, Tensor>? _best;

    /// <inheritdoc />
    public override void OnFitStart(TrainingContext context)
    {
        Forget();
        if (context.BestCheckpoint is { } path && File.Exists(path)) _best = WeightsOf(path, context.Model);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (!context.Improved) return;
        Forget();
        _best = ModelState.Copy(context.Model);
    }

    /// <inheritdoc />
    public override void OnFitEnd(TrainingContext context)
    {
        if (_best is not null) ModelState.Restore(context.Model, _best);
        Forget();
    }

    void Forget()
    {
        ModelState.Dispose(_best);
        _best = null;
    }

    /// <summary>The weights of <paramref name="checkpoint"/>, read through <paramref name="model"/> and leaving it as it was.</summary>
    static Dictionary<string, Tensor> WeightsOf(string checkpoint, nn.Module model)
    {
        var current = ModelState.Copy(model);
        Checkpoint.Load(checkpoint, model);
        var best = ModelState.Copy(model);
        ModelState.Restore(model, current);
        ModelState.Dispose(current);
        return best;
    }
}
