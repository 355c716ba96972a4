namespace CnnSentinel.Evaluation.Assessment;

/// <summary>An estimate with its standard error and 95 % confidence interval (± 1.96 standard errors, as Olofsson et al. 2014 give them).</summary>
/// <param name="Value">The estimate; NaN when the data cannot give one (no sample).</param>
/// <param name="StandardError">Its standard error; NaN when unknown.</param>
internal readonly record struct EstimateWithInterval(double Value, double StandardError)
{
    /// <summary>The multiplier of the standard error for a 95 % interval.</summary>
    public const double Z95 = 1.96;

    /// <summary>The lower end of the 95 % interval.</summary>
    public double Low => Value - Z95 * StandardError;

    /// <summary>The upper end of the 95 % interval.</summary>
    public double High => Value + Z95 * StandardError;

    /// <summary>The same estimate and error scaled by <paramref name="factor"/> (a proportion to an area).</summary>
    public EstimateWithInterval Times(double factor) => new(Value * factor, StandardError * factor);
}
