namespace CnnSentinel.Training;

/// <summary>
/// How the learning rate changes from epoch to epoch, as a factor on the optimiser's base rate.
/// Step and cosine schedules are functions of the epoch; reduce-on-plateau watches the validation
/// loss and keeps state, which checkpoints save so that a resumed run continues the same schedule.
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>State of a reduce-on-plateau schedule; saved in checkpoints.</summary>
    public sealed record PlateauState(double Factor, double BestLoss, int BadEpochs);

    /// <summary>constant, step, cosine or plateau.</summary>
    public string Kind { get; }
    readonly int _period;
    readonly double _gamma;
    readonly double _minFactor;

    /// <summary>The plateau schedule's state (factor 1, no best loss yet, for the other kinds).</summary>
    public PlateauState State { get; set; } = new(1, double.PositiveInfinity, 0);

    LearningRateSchedule(string kind, int period, double gamma, double minFactor)
    {
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

    /// <summary>Cosine annealing from the base rate to <paramref name="minFactor"/> × base over <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule Cosine(int epochs, double minFactor = 0) =>
        epochs > 0 ? new("cosine", epochs, 1, minFactor) : throw new ArgumentOutOfRangeException(nameof(epochs), "must be positive");

    /// <summary>Multiply by <paramref name="factor"/> when the validation loss has not improved for <paramref name="patience"/> epochs, down to <paramref name="minFactor"/>.</summary>
    public static LearningRateSchedule ReduceOnPlateau(double factor = 0.1, int patience = 5, double minFactor = 1e-3) =>
        factor is > 0 and < 1 ? new("plateau", patience, factor, minFactor) : throw new ArgumentOutOfRangeException(nameof(factor), "must be in (0, 1)");

    /// <summary>The factor on the base learning rate for <paramref name="epoch"/> (0-based).</summary>
    public double FactorFor(int epoch) => Kind switch
    {
        "step" => Math.Pow(_gamma, epoch / _period),
        "cosine" => _minFactor + (1 - _minFactor) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(epoch, _period) / _period)),
        "plateau" => State.Factor,
        _ => 1,
    };

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
        "cosine" => $"cosine over {_period} epochs",
        "plateau" => $"reduce on plateau (×{_gamma} after {_period} epochs without improvement)",
        _ => "constant",
    };
}
