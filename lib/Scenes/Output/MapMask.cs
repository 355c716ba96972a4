namespace CnnSentinel.Scenes;

/// <summary>
/// Values of a class map beyond the model's classes (0–9 for EuroSAT): pixels the map shows but does not classify.
/// Nodata stays <see cref="SceneClassifier.NoDataClass"/> (255). <see cref="ClassLegend"/> names and colours them.
/// </summary>
public enum MapMask : byte
{
    /// <summary>
    /// The model's confidence (its largest class probability) is below the map's threshold. EuroSAT has no cloud
    /// class, so without a cloud mask low confidence is how clouds show.
    /// </summary>
    Uncertain = 10,

    /// <summary>Cloud, from an L2A product's scene classification (SCL 8 and 9: cloud of medium and high probability).</summary>
    Cloud = 11,

    /// <summary>Thin cirrus, from an L2A product's scene classification (SCL 10).</summary>
    Cirrus = 12,

    /// <summary>Cloud shadow, from an L2A product's scene classification (SCL 3).</summary>
    CloudShadow = 13,

    /// <summary>
    /// Snow or ice, from an L2A product's scene classification (SCL 11). SCL 0 (no data) and 1 (saturated or defective)
    /// become nodata, not a mask.
    /// </summary>
    Snow = 14,
}
