namespace CnnSentinel.Evaluation.Assessment;

/// <summary>
/// Stratified estimation of accuracy and area from a confusion matrix, the map's classes as strata (Olofsson et al. 2014,
/// "Good practices for estimating area and assessing accuracy of land change", equations 2–10): each map row's counts
/// weighted by the share of the map its class covers, so that a class sampled more or less than its area does not
/// sway the figures.
/// </summary>
/// <remarks>
/// Rows are map strata, columns reference groups; the first <c>groups</c> rows are the map's groups in the columns' order,
/// the rows after them strata that agree with no reference group (Uncertain, the masks, nodata): their samples are wrong,
/// and their area goes to whatever the reference says it is. A stratum with no sample contributes nothing to the
/// estimates (its area is not assessed), one with a single sample nothing to the variances (n − 1 = 0).
/// </remarks>
internal sealed class AreaWeightedEstimate
{
    AreaWeightedEstimate(EstimateWithInterval overall, IReadOnlyList<EstimateWithInterval> users,
        IReadOnlyList<EstimateWithInterval> producers, IReadOnlyList<EstimateWithInterval> proportions)
    {
        Overall = overall;
        Users = users;
        Producers = producers;
        Proportions = proportions;
    }

    /// <summary>Overall accuracy, area-weighted (equation 1 with equation 5's variance).</summary>
    public EstimateWithInterval Overall { get; }

    /// <summary>User's accuracy of each map group (equation 2, variance 6): the share of its samples that the reference agrees with.</summary>
    public IReadOnlyList<EstimateWithInterval> Users { get; }

    /// <summary>Producer's accuracy of each reference group (equation 3, variance 7): the share of its estimated area that the map gives that group.</summary>
    public IReadOnlyList<EstimateWithInterval> Producers { get; }

    /// <summary>Each reference group's estimated share of the map's area (equation 9, standard error 10).</summary>
    public IReadOnlyList<EstimateWithInterval> Proportions { get; }

    /// <summary>Estimates from <paramref name="counts"/> [stratum, group] and each stratum's share of the map <paramref name="weights"/>.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit: fewer rows than groups, or weights not one per row.</exception>
    public static AreaWeightedEstimate From(long[,] counts, IReadOnlyList<double> weights)
    {
        int rows = counts.GetLength(0), groups = counts.GetLength(1);
        if (rows < groups || weights.Count != rows) throw new ArgumentException($"{rows} strata, {groups} groups and {weights.Count} weights do not fit.");
        var n = new double[rows];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < groups; j++) n[i] += counts[i, j];
        double Share(int i, int j) => n[i] > 0 ? counts[i, j] / n[i] : 0; // n_ij / n_i.
        double Cell(int i, int j) => weights[i] * Share(i, j); // p̂_ij
        double Spread(int i, int j) => n[i] > 1 ? weights[i] * weights[i] * Share(i, j) * (1 - Share(i, j)) / (n[i] - 1) : 0;

        double overall = 0, overallVariance = 0;
        for (int i = 0; i < rows; i++)
        {
            double right = i < groups ? Share(i, i) : 0; // Û_i; the strata after the groups are never right
            overall += weights[i] * right;
            if (n[i] > 1) overallVariance += weights[i] * weights[i] * right * (1 - right) / (n[i] - 1);
        }

        var users = Enumerable.Range(0, groups).Select(i => n[i] == 0
            ? new EstimateWithInterval(double.NaN, double.NaN)
            : new EstimateWithInterval(Share(i, i), n[i] > 1 ? Math.Sqrt(Share(i, i) * (1 - Share(i, i)) / (n[i] - 1)) : double.NaN)).ToList();
        var columnTotals = Enumerable.Range(0, groups).Select(j => Enumerable.Range(0, rows).Sum(i => Cell(i, j))).ToList();
        var proportions = Enumerable.Range(0, groups).Select(j =>
            new EstimateWithInterval(columnTotals[j], Math.Sqrt(Enumerable.Range(0, rows).Sum(i => Spread(i, j))))).ToList();
        var producers = Enumerable.Range(0, groups).Select(j =>
        {
            double total = columnTotals[j];
            if (total == 0) return new EstimateWithInterval(double.NaN, double.NaN);
            double producer = Cell(j, j) / total, user = Share(j, j);
            double own = n[j] > 1 ? weights[j] * weights[j] * (1 - producer) * (1 - producer) * user * (1 - user) / (n[j] - 1) : 0;
            double others = Enumerable.Range(0, rows).Where(i => i != j).Sum(i => Spread(i, j));
            return new EstimateWithInterval(producer, Math.Sqrt((own + producer * producer * others) / (total * total)));
        }).ToList();
        return new AreaWeightedEstimate(new EstimateWithInterval(overall, Math.Sqrt(overallVariance)), users, producers, proportions);
    }
}
