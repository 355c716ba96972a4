namespace CnnSentinel.Scenes;

/// <summary>The original's per-band normalisation (image_functions.py), by band count, until the datasets branch's presets merge.</summary>
// TODO(merge): use the datasets branch's normalisation presets.
public static class InterimNormalisation
{
    /// <summary>EuroSAT RGB means (red, green, blue) of the original.</summary>
    public static float[] RgbMean => [87.845f, 96.965f, 103.947f];

    /// <summary>EuroSAT RGB standard deviations of the original.</summary>
    public static float[] RgbStd => [23.657f, 16.474f, 13.793f];

    /// <summary>EuroSAT MS means, bands B01 … B12, B8A, of the original.</summary>
    public static float[] MsMean => [1353.036f, 1116.468f, 1041.475f, 945.344f, 1198.498f, 2004.878f, 2376.699f, 2303.738f, 732.957f, 12.092f, 1818.820f, 1116.271f, 2602.579f];

    /// <summary>EuroSAT MS standard deviations of the original.</summary>
    public static float[] MsStd => [65.479f, 154.008f, 187.997f, 278.508f, 228.122f, 356.598f, 456.035f, 531.570f, 98.947f, 1.188f, 378.993f, 303.851f, 503.181f];

    /// <summary>Mean and std for a model of <paramref name="bands"/> bands (3 or 13).</summary>
    public static (float[] Mean, float[] Std) For(int bands) => bands switch
    {
        3 => (RgbMean, RgbStd),
        13 => (MsMean, MsStd),
        _ => throw new ArgumentException($"No normalisation is known for {bands} bands (3 = RGB, 13 = EuroSAT MS)."),
    };
}
