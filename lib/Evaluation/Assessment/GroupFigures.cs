namespace CnnSentinel.Evaluation.Assessment;

/// <summary>One coarse group's figures in a <see cref="MapAssessment"/>.</summary>
/// <param name="Group">The group's name.</param>
/// <param name="MapSamples">Samples the map gives this group (its row of the confusion matrix).</param>
/// <param name="ReferenceSamples">Samples the reference gives this group (its column).</param>
/// <param name="UsersAccuracy">Sample counts: the share of the map's samples of this group that the reference agrees with; NaN without samples.</param>
/// <param name="ProducersAccuracy">Sample counts: the share of the reference's samples of this group that the map gives it; NaN without samples.</param>
/// <param name="MapShare">The share of the map's pixels given this group (W_i).</param>
/// <param name="EstimatedUsers">User's accuracy, area-weighted, with its interval.</param>
/// <param name="EstimatedProducers">Producer's accuracy, area-weighted, with its interval.</param>
/// <param name="EstimatedProportion">The group's estimated share of the map's area, with its interval.</param>
/// <param name="EstimatedArea">The group's estimated area (square units of the map's coordinate system), with its interval.</param>
internal sealed record GroupFigures(string Group, long MapSamples, long ReferenceSamples, double UsersAccuracy, double ProducersAccuracy, double MapShare,
    EstimateWithInterval EstimatedUsers, EstimateWithInterval EstimatedProducers, EstimateWithInterval EstimatedProportion, EstimateWithInterval EstimatedArea);
