using System.Globalization;
using System.Text.Json;
using CnnSentinel.Datasets;
using CnnSentinel.Models;
using CnnSentinel.Scenes;
using CnnSentinel.Transforms;

namespace CnnSentinel.Export;

/// <summary>
/// What a program that runs an exported model needs to know besides the weights: the class of each output,
/// the band of each input channel, the model's preprocessing (whose <see cref="Preprocessing.Input"/> stage, the per-band
/// standardisation <c>(x − mean) / std</c>, that program applies to the pixel values before the model; the exported
/// network holds its own stage), and the window size the model was trained on.
/// </summary>
/// <param name="ClassNames">Name of each output, in order.</param>
/// <param name="BandNames">Name of each input channel, in order (e.g. B04, B03, B02 for RGB).</param>
/// <param name="Preprocessing">The model's preprocessing (an input stage of mean 0, std 1 for none).</param>
/// <param name="InputSize">Height and width of the windows the model classifies.</param>
public sealed record ExportMetadata(IReadOnlyList<string> ClassNames, IReadOnlyList<string> BandNames, Preprocessing Preprocessing, int InputSize = EuroSatDataset.PatchSize)
{
    /// <summary>
    /// Metadata for <paramref name="model"/>: EuroSAT's class names, the RGB release's bands (B04, B03, B02) for three
    /// bands or all 13 Sentinel-2 bands, and the network's preprocessing with <paramref name="input"/> as the stage before it
    /// (<see cref="ImageClassifier.PreprocessingWith"/>; none when null).
    /// </summary>
    /// <exception cref="ArgumentException">The model's classes or bands are not EuroSAT's; build the record yourself.</exception>
    public static ExportMetadata For(ImageClassifier model, ChannelNormalization? input = null, int inputSize = EuroSatDataset.PatchSize)
    {
        if (model.Classes != EuroSatClasses.Names.Count)
            throw new ArgumentException($"{model.GetName()} has {model.Classes} classes, not EuroSAT's {EuroSatClasses.Names.Count}; give the class names.", nameof(model));
        IReadOnlyList<string> bands = model.Bands is 3 or SentinelBands.Count
            ? SentinelBands.OrderFor(model.Bands)
            : throw new ArgumentException($"{model.GetName()} reads {model.Bands} bands; give the band names.", nameof(model));
        input ??= new ChannelNormalization(Enumerable.Repeat(0.0, model.Bands).ToList(), Enumerable.Repeat(1.0, model.Bands).ToList());
        return new ExportMetadata(EuroSatClasses.Names, bands, model.PreprocessingWith(input), inputSize);
    }

    /// <summary>The metadata of a saved model, from its model file's description (<see cref="ModelFile.ReadDescription"/>).</summary>
    public static ExportMetadata For(ModelDescription description) =>
        new(description.Classes, description.Bands, description.Preprocessing, description.PatchSize);

    /// <summary>
    /// The entries written as ONNX metadata_props (and TF.js user-defined metadata): <c>class_names</c>,
    /// <c>band_names</c>, <c>mean</c>, <c>std</c> (of the <see cref="Preprocessing.Input"/> stage, which the reader applies) as JSON arrays, <c>input_size</c> as a number, and
    /// <c>class_colors</c> ([r, g, b] per class, from <see cref="ClassLegend.EuroSat"/>; [255, 0, 255] for a class
    /// it does not know) and <c>masks</c> (the map values beyond the classes, <see cref="ClassLegend.Masks"/>: value,
    /// name and [r, g, b] of each), so that the map page paints and names what the library's maps do; and, so that it reads
    /// an image as <c>classify</c> does, for RGB and EuroSAT's 13 bands, <c>radiometry</c> (per product the page may detect
    /// from a file name, <see cref="SceneRadiometry.AllFor"/>: gain, offset, maximum (null for none), reflectance_gain and
    /// reflectance_offset per band) and <c>cloud_test</c> (<see cref="CloudTest.For"/>'s settings, with <c>rgb</c>: the
    /// inputs that are red, green and blue).
    /// </summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var properties = new Dictionary<string, string>
        {
            ["class_names"] = JsonSerializer.Serialize(ClassNames),
            ["band_names"] = JsonSerializer.Serialize(BandNames),
            ["mean"] = JsonSerializer.Serialize(Preprocessing.Input.Mean),
            ["std"] = JsonSerializer.Serialize(Preprocessing.Input.Std),
            ["input_size"] = InputSize.ToString(CultureInfo.InvariantCulture),
            ["class_colors"] = JsonSerializer.Serialize(ClassNames.Select(name =>
                ClassLegend.EuroSat.Classes.FirstOrDefault(c => c.Name == name)?.Color is { } color
                    ? new[] { (int)color.R, color.G, color.B }
                    : [255, 0, 255])),
            ["masks"] = JsonSerializer.Serialize(ClassLegend.Masks.Select(m => new { value = m.Value, name = m.Name, color = new[] { (int)m.Color.R, m.Color.G, m.Color.B } })),
        };
        // EuroSAT's RGB release names its bands R, G, B: they are Sentinel-2's B04, B03, B02.
        var sentinelBands = BandNames.SequenceEqual(SentinelBands.For(PatchFormat.Rgb)) ? SentinelBands.TrueColourNames : BandNames;
        var products = SceneRadiometry.AllFor(sentinelBands);
        if (products.Count == 0) return properties;
        properties["radiometry"] = JsonSerializer.Serialize(products.ToDictionary(r => r.Product.ToString(), r => new
        {
            gain = r.Gain, offset = r.Offset, maximum = float.IsPositiveInfinity(r.Maximum) ? (float?)null : r.Maximum,
            reflectance_gain = r.ReflectanceGain, reflectance_offset = r.ReflectanceOffset,
        }));
        var test = CloudTest.For(ClassNames);
        properties["cloud_test"] = JsonSerializer.Serialize(new
        {
            rgb = SentinelBands.TrueColourNames.Select(band => sentinelBands.ToList().IndexOf(band)),
            minimum_reflectance = test.MinimumReflectance, maximum_whiteness = test.MaximumWhiteness, cloudy_window_share = test.CloudyWindowShare,
            core_size = test.CoreSize, core_share = test.CoreShare, spared_classes = test.SparedClasses, spared_above = test.SparedAbove,
        });
        return properties;
    }
}
