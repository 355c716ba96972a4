namespace CnnSentinel.Raster;

/// <summary>What a band shows, as GDAL's GDALColorInterp records it (the values the project checks).</summary>
internal enum ColorInterpretation
{
    /// <summary>Not recorded.</summary>
    Undefined = 0,
    /// <summary>Greyscale.</summary>
    Gray = 1,
    /// <summary>Indices into a colour table.</summary>
    Palette = 2,
    /// <summary>Red.</summary>
    Red = 3,
    /// <summary>Green.</summary>
    Green = 4,
    /// <summary>Blue.</summary>
    Blue = 5,
    /// <summary>Alpha (transparency).</summary>
    Alpha = 6,
}
