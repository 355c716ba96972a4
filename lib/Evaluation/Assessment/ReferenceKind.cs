namespace CnnSentinel.Evaluation.Assessment;

/// <summary>What reference data a map is assessed against, which decides what a sample is.</summary>
internal enum ReferenceKind
{
    /// <summary>Points: each point is one sample, at the pixel that holds it.</summary>
    Points,

    /// <summary>Polygons (and any points among them): every pixel whose centre lies in a polygon is a sample.</summary>
    Polygons,

    /// <summary>A label raster, warped onto the map's grid by nearest neighbour: every labelled pixel is a sample.</summary>
    Raster,
}
