using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CnnSentinel.Datasets;
using CnnSentinel.Transforms;

namespace CnnSentinel.Scenes;

/// <summary>
/// How a scene's raw values become the values the model was trained on (EuroSAT: Level-1C top-of-atmosphere
/// reflectance, as 8-bit JPEG values for RGB and as digital numbers for the 13 bands), and the reflectance the cloud
/// test reads: per band, <c>model value = clamp(raw · Gain + Offset, 0, Maximum)</c> and
/// <c>reflectance = raw · ReflectanceGain + ReflectanceOffset</c>.
/// </summary>
/// <param name="Product">What the raw values are.</param>
/// <param name="Bands">The model's bands, in order.</param>
/// <param name="Gain">Per band, model units per raw unit.</param>
/// <param name="Offset">Per band, model units added.</param>
/// <param name="Maximum">Converted values are clipped to this (255 for RGB, as EuroSAT's JPEGs saturate); infinity for none.</param>
/// <param name="ReflectanceGain">Per band, reflectance per raw unit.</param>
/// <param name="ReflectanceOffset">Per band, reflectance added (the product's add-offset).</param>
public sealed partial record SceneRadiometry(SceneProduct Product, IReadOnlyList<string> Bands, float[] Gain, float[] Offset, float Maximum,
    float[] ReflectanceGain, float[] ReflectanceOffset)
{
    /// <summary>
    /// EuroSAT RGB's 8-bit value per unit of top-of-atmosphere reflectance, for B04, B03, B02: the least-squares slope of
    /// the JPEG values on the Level-1C digital numbers of the same patches in EuroSAT MS (188 patch pairs of the
    /// development copy, unsaturated pixels, correlation ≥ 0.995; the intercepts, 0.3–2.2, are left out). EuroSAT's
    /// RGB is thus linear in reflectance and saturates near 0.275.
    /// </summary>
    public static IReadOnlyDictionary<string, float> EuroSatRgbPerReflectance { get; } = new Dictionary<string, float>
    {
        ["B04"] = 910.8f, ["B03"] = 926.6f, ["B02"] = 930.0f,
    };

    /// <summary>Sentinel-2's quantification value: reflectance × 10000 = digital number (before any add-offset).</summary>
    public const float QuantificationValue = 10000f;

    /// <summary>Reflectance at which a TCI saturates (255): 0.3558 for Level-1C, 0.2 for Level-2A (Sentinel-2 MSI user guide, "Definitions").</summary>
    public static float TciSaturation(SceneProduct product) => product switch
    {
        SceneProduct.TciL1C => 0.3558f,
        SceneProduct.TciL2A => 0.2f,
        _ => throw new UserErrorException($"{product} is not a TCI."),
    };

    /// <summary>
    /// Atmospheric path reflectance added to Level-2A (bottom-of-atmosphere) values to approach the top-of-atmosphere
    /// values EuroSAT was made from, for bands below 1 µm: a power law in wavelength through two dark-dense-vegetation
    /// estimates (blue = B02 − B12/4, red = B04 − B12/2, Kaufman's relations) made on EuroSAT MS's Forest patches of the
    /// development copy (24 patches: blue 0.066, red 0.012). A single standard atmosphere: a real one varies with haze,
    /// season and sun angle.
    /// </summary>
    public static float PathReflectance(string band)
    {
        const double blue = 0.066, red = 0.012, blueNm = 490, redNm = 665;
        double exponent = Math.Log(blue / red) / Math.Log(redNm / blueNm);
        double nm = SentinelBands.CentreWavelength(band);
        return nm >= 1000 ? 0f : (float)(blue * Math.Pow(blueNm / nm, exponent));
    }

    /// <summary>
    /// The radiometric jitter (<see cref="RadiometricJitter"/>) that trains a model of <paramref name="bands"/> to read other
    /// processing levels, atmospheres and scalings than EuroSAT's: in the model's units per reflectance, with this class's
    /// standard path reflectance (<see cref="PathReflectance"/>), clipped as the model's data are.
    /// </summary>
    /// <param name="bands">The model's bands (RGB B04, B03, B02 or EuroSAT's 13).</param>
    /// <param name="probability">Chance that a training image is changed.</param>
    public static RadiometricJitter TrainingJitter(IReadOnlyList<string> bands, double probability)
    {
        var units = For(SceneProduct.EuroSat, bands).ReflectanceGain.Select(g => 1 / g).ToArray();
        bool rgb = bands.SequenceEqual(SentinelBands.TrueColourNames);
        return new RadiometricJitter(units, bands.Select(PathReflectance).ToArray(), rgb ? 255f : float.PositiveInfinity, probability);
    }

    /// <summary>No conversion: the raw values are in the model's units (<see cref="SceneProduct.EuroSat"/>).</summary>
    public static SceneRadiometry AsEuroSat(IReadOnlyList<string> bands) => For(SceneProduct.EuroSat, bands);

    /// <summary>The conversion of <paramref name="product"/> values to the units of a model reading <paramref name="bands"/>.</summary>
    /// <param name="product">What the raw values are.</param>
    /// <param name="bands">The model's bands (B04, B03, B02 for RGB; EuroSAT's 13).</param>
    /// <param name="addOffsets">Per band, the product's add-offset in digital numbers (RADIO_ADD_OFFSET / BOA_ADD_OFFSET); 0 when null. Band files only.</param>
    public static SceneRadiometry For(SceneProduct product, IReadOnlyList<string> bands, IReadOnlyList<float>? addOffsets = null)
    {
        bool rgb = bands.SequenceEqual(SentinelBands.TrueColourNames);
        if (!rgb && !bands.SequenceEqual(SentinelBands.Names))
            throw new UserErrorException($"No model units are known for bands {string.Join(", ", bands)} (RGB B04, B03, B02 or EuroSAT's 13).");
        if (product is SceneProduct.TciL1C or SceneProduct.TciL2A && !rgb)
            throw new UserErrorException("A TCI holds only red, green and blue; the model reads 13 bands.");
        if (addOffsets is not null && (addOffsets.Count != bands.Count || product is not (SceneProduct.L1C or SceneProduct.L2A)))
            throw new UserErrorException("Add-offsets are per band, for Level-1C/2A band files only.");
        int n = bands.Count;
        var gain = new float[n];
        var offset = new float[n];
        var reflectanceGain = new float[n];
        var reflectanceOffset = new float[n];
        for (int b = 0; b < n; b++)
        {
            float perReflectance = rgb ? EuroSatRgbPerReflectance[bands[b]] : QuantificationValue; // model units per reflectance
            float path = product is SceneProduct.TciL2A or SceneProduct.L2A ? PathReflectance(bands[b]) : 0f;
            (reflectanceGain[b], reflectanceOffset[b]) = product switch
            {
                SceneProduct.EuroSat => (1 / perReflectance, 0f),
                SceneProduct.TciL1C or SceneProduct.TciL2A => (TciSaturation(product) / 255f, 0f),
                _ => (1 / QuantificationValue, (addOffsets?[b] ?? 0f) / QuantificationValue),
            };
            gain[b] = reflectanceGain[b] * perReflectance;
            offset[b] = (reflectanceOffset[b] + path) * perReflectance;
        }
        // EuroSAT's JPEGs saturate at 255, so converted RGB values do too; values already in EuroSAT's units are left alone.
        float maximum = rgb && product != SceneProduct.EuroSat ? 255f : float.PositiveInfinity;
        return new SceneRadiometry(product, bands, gain, offset, maximum, reflectanceGain, reflectanceOffset);
    }

    /// <summary>
    /// The same product fed to the model unconverted, as the original fed any 8-bit image (its reflectance, for the cloud
    /// test, stays the product's). The default for TCIs (<see cref="SceneInput.Radiometry"/>): on the bundled Level-2A TCI
    /// the physical conversion to EuroSAT's top-of-atmosphere units (gain and path reflectance) turns far more of the
    /// scene into SeaLake than this reading does; <c>classify --radiometry TciL2A</c> applies it.
    /// </summary>
    public SceneRadiometry FedUnconverted() => this with
    {
        Gain = Enumerable.Repeat(1f, Bands.Count).ToArray(),
        Offset = new float[Bands.Count],
        Maximum = float.PositiveInfinity,
    };

    /// <summary>
    /// How <c>classify</c> feeds this product by default (<see cref="SceneInput.Radiometry"/>): a TCI unconverted
    /// (<see cref="FedUnconverted"/>), band files converted to the model's units.
    /// </summary>
    public SceneRadiometry AsClassifyFeedsIt() => Product is SceneProduct.TciL1C or SceneProduct.TciL2A ? FedUnconverted() : this;

    /// <summary>
    /// Every product whose values can be brought to the units of a model reading <paramref name="bands"/>, as
    /// <c>classify</c> feeds each by default (<see cref="AsClassifyFeedsIt"/>; no add-offsets): all five for RGB, the
    /// band files and EuroSAT's own for 13 bands, none for other bands. What an exported model carries for the map page.
    /// </summary>
    public static IReadOnlyList<SceneRadiometry> AllFor(IReadOnlyList<string> bands)
    {
        bool rgb = bands.SequenceEqual(SentinelBands.TrueColourNames);
        if (!rgb && !bands.SequenceEqual(SentinelBands.Names)) return [];
        return [.. Enum.GetValues<SceneProduct>().Where(p => rgb || p is not (SceneProduct.TciL1C or SceneProduct.TciL2A))
            .Select(p => For(p, bands).AsClassifyFeedsIt())];
    }

    /// <summary>True when the conversion changes nothing.</summary>
    public bool IsIdentity => Gain.All(g => g == 1f) && Offset.All(o => o == 0f) && float.IsPositiveInfinity(Maximum);

    /// <summary>
    /// What <paramref name="path"/> most likely holds, from its name and data type: a file or folder whose name says
    /// TCI is a TCI of the level its path says (MSIL1C/MSIL2A, or L1C/L2A as a word of a file or folder name); other 8-bit
    /// files are EuroSAT-like; band files (folders, SAFE products, 16-bit and float stacks) are Level-2A where the path
    /// says so and Level-1C otherwise, with the add-offsets of the product's metadata (MTD_MSIL1C.xml / MTD_MSIL2A.xml)
    /// when it is found beside or above the file.
    /// </summary>
    public static SceneRadiometry Detect(string path, IReadOnlyList<string> bands, bool eightBit)
    {
        var name = Path.GetFullPath(path);
        bool l2a = Level2A().IsMatch(name);
        if (eightBit)
            return Tci().IsMatch(Path.GetFileName(name)) && (l2a || Level1C().IsMatch(name))
                ? For(l2a ? SceneProduct.TciL2A : SceneProduct.TciL1C, bands)
                : AsEuroSat(bands);
        var product = l2a ? SceneProduct.L2A : SceneProduct.L1C;
        return For(product, bands, ProductAddOffsets(path, product, bands));
    }

    /// <summary>
    /// The add-offsets of <paramref name="bands"/> from the product metadata found at or above <paramref name="path"/>
    /// (RADIO_ADD_OFFSET for Level-1C, BOA_ADD_OFFSET for Level-2A, per band_id 0–12 = B01 … B08, B8A, B09 … B12); null
    /// when there is no metadata file (products before baseline 04.00 have no offsets either).
    /// </summary>
    /// <exception cref="InvalidDataException">The metadata file cannot be read.</exception>
    public static float[]? ProductAddOffsets(string path, SceneProduct product, IReadOnlyList<string> bands)
    {
        var fileName = product == SceneProduct.L2A ? "MTD_MSIL2A.xml" : "MTD_MSIL1C.xml";
        var element = product == SceneProduct.L2A ? "BOA_ADD_OFFSET" : "RADIO_ADD_OFFSET";
        for (var dir = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path).Directory; dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, fileName);
            if (!File.Exists(file)) continue;
            XDocument xml;
            try { xml = XDocument.Load(file); }
            catch (System.Xml.XmlException e) { throw new InvalidDataException($"{file}: not readable XML ({e.Message}).", e); }
            var offsets = xml.Descendants().Where(e => e.Name.LocalName == element)
                .ToDictionary(e => int.Parse(e.Attribute("band_id")?.Value ?? "-1", CultureInfo.InvariantCulture), e => float.Parse(e.Value, CultureInfo.InvariantCulture));
            if (offsets.Count == 0) return null;
            return bands.Select(b => offsets.TryGetValue(SentinelBands.BandId(b), out var o) ? o
                : throw new InvalidDataException($"{file}: no {element} for {b} (band_id {SentinelBands.BandId(b)}).")).ToArray();
        }
        return null;
    }

    // "MSIL2A" in product names (S2A_MSIL2A_…, BigEarthNet's S2A_MSIL2A_…_36_85 patch folders), or "L2A" as a word of its
    // own in a file or folder name (s2_l2a_20210701.tif; underscores and dots separate words).
    [GeneratedRegex(@"MSIL2A|(?<![A-Z0-9])L2A(?![A-Z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex Level2A();

    [GeneratedRegex(@"MSIL1C|(?<![A-Z0-9])L1C(?![A-Z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex Level1C();

    [GeneratedRegex(@"(?<![A-Z0-9])TCI(?![A-Z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex Tci();
}
