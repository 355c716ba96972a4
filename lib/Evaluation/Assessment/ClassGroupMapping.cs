using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using CnnSentinel.Datasets;

namespace CnnSentinel.Evaluation.Assessment;

/// <summary>
/// Which coarse group (cropland/grassland, forest, built-up, water, …) each reference class and each map class belongs
/// to: a map is scored group against group, since reference data never uses EuroSAT's ten classes.
/// </summary>
/// <remarks>
/// A mapping file is CSV with the header <c>side,class,group</c> and one row per class: <c>reference,pasture,cropland/grassland</c>
/// names a reference class (as it stands in the reference's field, or a label raster's integer value; matched without
/// regard to case or surrounding spaces), <c>map,Pasture,cropland/grassland</c> a map class (an EuroSAT class name). The
/// group <c>none</c> marks a reference value that is no sample (a polygon or pixel without a label). Without map rows
/// the map side is <see cref="BuiltIn"/>'s, and the reference rows must then use its groups. Lines starting with # are comments.
/// </remarks>
internal sealed class ClassGroupMapping
{
    /// <summary>The group of reference values that are no sample (no label).</summary>
    public const string NoSample = "none";

    /// <summary>The header of a mapping file.</summary>
    public const string Header = "side,class,group";

    /// <summary>The file-name ending of a mapping that <see cref="For"/> finds beside a reference file: <c>lulc_label.mapping.csv</c> for <c>lulc_label.tif</c>.</summary>
    public const string SidecarExtension = ".mapping.csv";

    readonly IReadOnlyDictionary<string, int?> _reference;
    readonly IReadOnlyList<int> _mapGroups;

    ClassGroupMapping(string source, IReadOnlyList<string> groups, IReadOnlyDictionary<string, int?> reference, IReadOnlyList<int> mapGroups)
    {
        Source = source;
        Groups = groups;
        _reference = reference;
        _mapGroups = mapGroups;
    }

    /// <summary>Where the mapping comes from, for messages: a file's path, or "the built-in mapping".</summary>
    public string Source { get; }

    /// <summary>The groups, in the order the figures list them.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>
    /// The coarse groups of the reference scenes' README: cropland/grassland (AnnualCrop, PermanentCrop, Pasture,
    /// HerbaceousVegetation; reference cultivated land, grassland, shrubland, pasture), forest, built-up (Residential,
    /// Industrial, Highway; reference urban, artificial surface) and water (River, SeaLake). An empty reference value is no sample.
    /// </summary>
    public static ClassGroupMapping BuiltIn { get; } = BuildBuiltIn();

    static ClassGroupMapping BuildBuiltIn()
    {
        string[] groups = ["cropland/grassland", "forest", "built-up", "water"];
        var mapGroups = EuroSatClasses.Names.Select(name => name switch
        {
            "AnnualCrop" or "PermanentCrop" or "Pasture" or "HerbaceousVegetation" => 0,
            "Forest" => 1,
            "Residential" or "Industrial" or "Highway" => 2,
            "River" or "SeaLake" => 3,
            _ => throw new InvalidOperationException($"EuroSAT class {name} has no built-in group."),
        }).ToList();
        var reference = new Dictionary<string, int?>(StringComparer.OrdinalIgnoreCase)
        {
            ["cultivated"] = 0, ["cultivated land"] = 0, ["cropland"] = 0, ["grassland"] = 0, ["pasture"] = 0, ["shrubland"] = 0,
            ["schrubland"] = 0, // so spelt in the Slovenian reference polygons (eo-learn's example data)
            ["forest"] = 1,
            ["urban"] = 2, ["artificial surface"] = 2, ["built-up"] = 2,
            ["water"] = 3,
            [""] = null,
        };
        return new ClassGroupMapping("the built-in mapping", groups, reference, mapGroups);
    }

    /// <summary>The mapping for <paramref name="reference"/>: its side-car file (<see cref="SidecarExtension"/>) when there is one, else <see cref="BuiltIn"/>.</summary>
    public static ClassGroupMapping For(string reference)
    {
        var sidecar = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(reference))!, Path.GetFileNameWithoutExtension(reference) + SidecarExtension);
        return File.Exists(sidecar) ? Read(sidecar) : BuiltIn;
    }

    /// <summary>Reads a mapping file (the format is in the remarks).</summary>
    /// <exception cref="InvalidDataException">The file is not such a mapping: a bad header or row, an unknown map class or side, a map class missing or given twice; the message names the file and line.</exception>
    public static ClassGroupMapping Read(string path)
    {
        var rows = Rows(path);
        if (rows.Count == 0 || !string.Equals(string.Join(",", rows[0].Cells), Header, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: a mapping file starts with the header '{Header}'.");
        var groups = new List<string>();
        var reference = new Dictionary<string, int?>(StringComparer.OrdinalIgnoreCase);
        var mapGroups = new Dictionary<int, int>();
        bool hasMapRows = rows.Skip(1).Any(r => string.Equals(r.Cells[0], "map", StringComparison.OrdinalIgnoreCase));
        int GroupIndex(string group)
        {
            if (!hasMapRows && !BuiltIn.Groups.Contains(group, StringComparer.OrdinalIgnoreCase))
                throw new InvalidDataException($"{path}: group '{group}' is not one of the built-in map side's ({string.Join(", ", BuiltIn.Groups)}); add 'map' rows that give the EuroSAT classes their groups.");
            int at = groups.FindIndex(g => string.Equals(g, group, StringComparison.OrdinalIgnoreCase));
            if (at >= 0) return at;
            groups.Add(group);
            return groups.Count - 1;
        }
        if (!hasMapRows) foreach (var group in BuiltIn.Groups) GroupIndex(group);
        foreach (var (cells, text, line) in rows.Skip(1))
        {
            if (cells.Length != 3 || cells[2].Length == 0)
                throw new InvalidDataException($"{path} line {line}: '{text}' is not 'side,class,group'.");
            var (side, name, group) = (cells[0].ToLowerInvariant(), cells[1], cells[2]);
            switch (side)
            {
                case "reference":
                    if (reference.ContainsKey(name)) throw new InvalidDataException($"{path} line {line}: reference class '{name}' is given twice.");
                    reference[name] = string.Equals(group, NoSample, StringComparison.OrdinalIgnoreCase) ? null : GroupIndex(group);
                    break;
                case "map":
                    int value = EuroSatClasses.Names.ToList().FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
                    if (value < 0) throw new InvalidDataException($"{path} line {line}: unknown map class '{name}' (the map's classes: {string.Join(", ", EuroSatClasses.Names)}).");
                    if (string.Equals(group, NoSample, StringComparison.OrdinalIgnoreCase))
                        throw new InvalidDataException($"{path} line {line}: map class '{name}' needs a group ('{NoSample}' is only for reference values).");
                    if (!mapGroups.TryAdd(value, GroupIndex(group))) throw new InvalidDataException($"{path} line {line}: map class '{name}' is given twice.");
                    break;
                default:
                    throw new InvalidDataException($"{path} line {line}: unknown side '{cells[0]}' (give 'reference' or 'map').");
            }
        }
        if (reference.Count == 0) throw new InvalidDataException($"{path}: no 'reference' rows.");
        IReadOnlyList<int> map = BuiltIn._mapGroups;
        if (hasMapRows)
        {
            var missing = Enumerable.Range(0, EuroSatClasses.Count).Where(c => !mapGroups.ContainsKey(c)).Select(c => EuroSatClasses.Names[c]).ToList();
            if (missing.Count > 0) throw new InvalidDataException($"{path}: map classes without a group: {string.Join(", ", missing)}.");
            map = Enumerable.Range(0, EuroSatClasses.Count).Select(c => mapGroups[c]).ToList();
        }
        return new ClassGroupMapping(path, groups, reference, map);
    }

    static readonly CsvConfiguration MappingCsv = new(CultureInfo.InvariantCulture)
    {
        HasHeaderRecord = false, AllowComments = true, Comment = '#', IgnoreBlankLines = true, TrimOptions = TrimOptions.Trim,
    };

    /// <summary>The file's records with their raw text and line, comments and blank lines left out (CsvHelper: quoted class names may hold commas).</summary>
    static List<(string[] Cells, string Text, int Line)> Rows(string path)
    {
        using var reader = new StreamReader(path);
        using var parser = new CsvParser(reader, MappingCsv);
        var rows = new List<(string[] Cells, string Text, int Line)>();
        try
        {
            while (parser.Read()) rows.Add((parser.Record!, parser.RawRecord.Trim(), parser.RawRow));
        }
        catch (CsvHelperException e)
        {
            throw new InvalidDataException($"{path} line {parser.RawRow}: not readable as CSV ({e.GetType().Name}).", e);
        }
        return rows;
    }

    /// <summary>Whether the mapping knows reference value <paramref name="value"/> (null counts as empty); <paramref name="group"/> is its group's index, null for no sample.</summary>
    public bool TryGroupOfReference(string? value, out int? group) => _reference.TryGetValue((value ?? "").Trim(), out group);

    /// <summary>The group index of map class <paramref name="mapClass"/> (0 to 9, EuroSAT's order).</summary>
    public int GroupOfMapClass(int mapClass) => _mapGroups[mapClass];
}
