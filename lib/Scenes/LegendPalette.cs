namespace CnnSentinel.Scenes;

/// <summary>Which colours <see cref="ClassLegend.ForEuroSat"/> gives EuroSAT's classes.</summary>
public enum LegendPalette
{
    /// <summary>One clearly different colour per class, in the hues a map reader expects (forest dark green, water blue, …).</summary>
    Distinct,

    /// <summary>
    /// The original CNN-Sentinel browser app's colours, for maps compared with its pictures. It gave HerbaceousVegetation
    /// and Pasture one green and River and SeaLake one blue; only the values tell them apart.
    /// </summary>
    OriginalApp,
}
