namespace CnnSentinel.Evaluation.Assessment;

/// <summary>What a class map is assessed against, and how (<see cref="MapAssessment.Assess"/>).</summary>
/// <param name="Reference">Reference points or polygons (any vector file OGR reads; a CSV with x/y columns and a .prj) or a label raster, in any coordinate system.</param>
/// <param name="Field">The attribute holding the reference class; by default the only one all of whose values the mapping knows.</param>
/// <param name="Mapping">A mapping file (<see cref="ClassGroupMapping"/>); by default the one beside the reference, else the built-in one.</param>
/// <param name="Probability">The map's largest-class probability raster; by default <c>&lt;scene&gt;_probability.tif</c> beside <c>&lt;scene&gt;_classes.tif</c> when it exists.</param>
/// <param name="UncertainBelow">Mark land-class pixels whose probability is below this Uncertain before scoring (for a map made without a threshold); null leaves the map as it is.</param>
public sealed record AssessmentOptions(string Reference, string? Field = null, string? Mapping = null, string? Probability = null, double? UncertainBelow = null)
{
    /// <summary>The ending of a mapping file beside its reference (<c>reference.mapping.csv</c>), which is used when <see cref="Mapping"/> is null.</summary>
    public const string MappingSidecarExtension = ClassGroupMapping.SidecarExtension;
}
