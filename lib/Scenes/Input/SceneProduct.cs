namespace CnnSentinel.Scenes;

/// <summary>What a scene's pixel values are, so that they can be brought to the units the model was trained on.</summary>
public enum SceneProduct
{
    /// <summary>Already in the model's units: EuroSAT RGB's 8-bit values for an RGB model, Level-1C digital numbers without offset for a 13-band model (how EuroSAT was made, before processing baseline 04.00).</summary>
    EuroSat,

    /// <summary>A Level-1C true-colour image (TCI): 8 bits, 1–255 for top-of-atmosphere reflectance 0–0.3558, 0 = no data.</summary>
    TciL1C,

    /// <summary>A Level-2A true-colour image (TCI): 8 bits, 1–255 for bottom-of-atmosphere reflectance 0–0.2, 0 = no data.</summary>
    TciL2A,

    /// <summary>Level-1C band files: top-of-atmosphere reflectance × 10000, plus the product's RADIO_ADD_OFFSET (−1000 from baseline 04.00, January 2022).</summary>
    L1C,

    /// <summary>Level-2A band files: bottom-of-atmosphere reflectance × 10000, plus the product's BOA_ADD_OFFSET (−1000 from baseline 04.00).</summary>
    L2A,
}
