namespace CnnSentinel.Training;

/// <summary>
/// How the learning rate changes from epoch to epoch, as a factor on the optimiser's base rate.
/// Step and cosine schedules are functions of the epoch; reduce-on-plateau watches the validation
/// loss and keeps state, which checkpoints save so that a resumed run continues the same schedule.
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>State of a reduce-on-plateau schedule; saved in checkpoints.</summary>
    internal sealed record PlateauState(double Factor, double BestLoss, int BadEpochs);

    /// <summary>constant, step, cosine or plateau.</summary>
    public string Kind { get; }
    readonly int _period;
    readonly double _gamma;
    readonly double _minFactor;
    readonly double _warmupEpochs;

    /// <summary>The plateau schedule's state (factor 1, no best loss yet, for the other kinds).</summary>
    internal PlateauState State { get; set; } = new(1, double.PositiveInfinity, 0);

    LearningRateSchedule(string kind, int period, double gamma, double minFactor, double warmupEpochs = 0)
    {
        _warmupEpochs = warmupEpochs;
        Kind = kind;
        _period = period;
        _gamma = gamma;
        _minFactor = minFactor;
    }

    /// <summary>The base rate throughout.</summary>
    public static LearningRateSchedule Constant() => new("constant", 1, 1, 1);

    /// <summary>Multiply by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    public static LearningRateSchedule Step(int stepSize, double gamma = 0.1) =>
        stepSize > 0 ? new("step", stepSize, gamma, 0) : throw new ArgumentOutOfRangeException(nameof(stepSize), "must be positive");

    /// <summary>
    /// Cosine annealing from the base rate to <paramref name="minFactor"/> × base over <paramref name="epochs"/> epochs,
    /// after a linear warm-up from 0 over the first <paramref name="warmupEpochs"/> (fractions allowed). Changes
    /// every step, not only between epochs.
    /// </summary>
    public static LearningRateSchedule Cosine(int epochs, double minFactor = 0, double warmupEpochs = 0) =>
        epochs <= 0 ? throw new ArgumentOutOfRangeException(nameof(epochs), "must be positive")
        : !(warmupEpochs >= 0 && warmupEpochs < epochs) ? throw new ArgumentOutOfRangeException(nameof(warmupEpochs), "must be in [0, epochs)")
        : new("cosine", epochs, 1, minFactor, warmupEpochs);

    /// <summary>Multiply by <paramref name="factor"/> when the validation loss has not improved for <paramref name="patience"/> epochs, down to <paramref name="minFactor"/>.</summary>
    public static LearningRateSchedule ReduceOnPlateau(double factor = 0.1, int patience = 5, double minFactor = 1e-3) =>
        factor is > 0 and < 1 ? new("plateau", patience, factor, minFactor) : throw new ArgumentOutOfRangeException(nameof(factor), "must be in (0, 1)");

    /// <summary>
    /// The factor on the base learning rate for <paramref name="epoch"/> (0-based), <paramref name="fraction"/> of the
    /// way through it (the trainer passes the share of the epoch's steps done after the current one; only the
    /// cosine schedule uses it).
    /// </summary>
    public double FactorFor(int epoch, double fraction = 0) => Kind switch
    {
        "step" => Math.Pow(_gamma, epoch / _period),
        "cosine" => CosineFactor(Math.Min(epoch + fraction, _period)),
        "plateau" => State.Factor,
        _ => 1,
    };

    double CosineFactor(double progress)
    {
        if (progress < _warmupEpochs) return progress / _warmupEpochs;
        double annealed = (progress - _warmupEpochs) / (_period - _warmupEpochs);
        return _minFactor + (1 - _minFactor) * 0.5 * (1 + Math.Cos(Math.PI * annealed));
    }

    /// <summary>Tells the schedule an epoch's validation loss (only reduce-on-plateau uses it).</summary>
    public void Observe(double validationLoss)
    {
        if (Kind != "plateau") return;
        if (validationLoss < State.BestLoss) State = State with { BestLoss = validationLoss, BadEpochs = 0 };
        else if (State.BadEpochs + 1 > _period)
            State = State with { Factor = Math.Max(_minFactor, State.Factor * _gamma), BadEpochs = 0 };
        else State = State with { BadEpochs = State.BadEpochs + 1 };
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        "step" => $"step (×{_gamma} every {_period} epochs)",
        "cosine" => _warmupEpochs > 0 ? $"linear warm-up over {_warmupEpochs} epoch(s), then cosine to {_period} epochs" : $"cosine over {_period} epochs",
        "plateau" => $"reduce on plateau (×{_gamma} after {_period} epochs without improvement)",
        _ => "constant",
    };
}
