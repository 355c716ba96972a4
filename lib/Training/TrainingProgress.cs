using System.Globalization;
using CnnSentinel.Runtime;

namespace CnnSentinel.Training;

/// <summary>Where a training run stands; reported after every step and at the end of every epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="Steps">Steps in an epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Training accuracy so far in this epoch.</param>
/// <param name="ImagesPerSecond">Training throughput in this epoch.</param>
/// <param name="Remaining">Estimated time to the end of the run.</param>
/// <param name="Completed">The finished epoch's record, at the end of an epoch; otherwise null.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double Accuracy,
    double ImagesPerSecond, TimeSpan Remaining, EpochRecord? Completed = null)
{
    /// <summary>Which part of a longer run this is (e.g. "stage 1" of a two-stage fine-tuning), shown before the epoch; null when the run is all one.</summary>
    public string? Stage { get; init; }

    /// <summary>One line: stage, epoch, steps, loss, accuracy, throughput, time left (and validation figures at the end of an epoch).</summary>
    public override string ToString()
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{(Stage is null ? "" : Stage + " · ")}epoch {Epoch}/{Epochs} · step {Step}/{Steps} · loss {Loss:0.0000} · acc {Accuracy:0.000} · {ImagesPerSecond:0} img/s · ETA {ClockFormat.Of(Remaining)}");
        return Completed is { } r
            ? line + string.Create(CultureInfo.InvariantCulture, $" · val_loss {r.ValidationLoss:0.0000} · val_acc {r.ValidationAccuracy:0.000} · {r.Seconds:0.0} s")
            : line;
    }
}
