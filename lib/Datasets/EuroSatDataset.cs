namespace CnnSentinel.Datasets;

/// <summary>
/// A EuroSAT folder: one sub-folder per class holding that class's patches, RGB JPEGs
/// (<c>&lt;Class&gt;/&lt;Class&gt;_&lt;n&gt;.jpg</c>) or 13-band GeoTIFFs (<c>&lt;Class&gt;/&lt;Class&gt;_&lt;n&gt;.tif</c>).
/// </summary>
/// <remarks>
/// <para>The class list is fixed (by default the ten EuroSAT classes in alphabetical order, the original's
/// indices): every class must have a non-empty folder, and a folder that is not a class is an error, so a
/// typo or a stray folder cannot silently shift the labels.</para>
/// <para>Files are listed in ordinal order of their relative paths, independent of the file system's
/// enumeration order. Files with other extensions and hidden files (starting with '.') are ignored.</para>
/// </remarks>
public sealed class EuroSatDataset
{
    /// <summary>EuroSAT patches are 64 × 64 pixels.</summary>
    public const int PatchSize = 64;

    EuroSatDataset(string root, PatchFormat format, IReadOnlyList<string> classes, IReadOnlyList<EuroSatSample> samples)
    {
        Root = root;
        Format = format;
        Classes = classes;
        Samples = samples;
    }

    /// <summary>The dataset folder (absolute).</summary>
    public string Root { get; }

    /// <summary>RGB JPEG or multispectral GeoTIFF.</summary>
    public PatchFormat Format { get; }

    /// <summary>Class names; a class's index is its position here.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>All patches, in ordinal order of their relative paths.</summary>
    public IReadOnlyList<EuroSatSample> Samples { get; }

    /// <summary>Bands per patch: 3 for RGB, 13 for multispectral.</summary>
    public int BandCount => Format == PatchFormat.Rgb ? 3 : SentinelBands.Count;

    /// <summary>Band names, in tensor channel order.</summary>
    public IReadOnlyList<string> BandNames => SentinelBands.For(Format);

    /// <summary>Patch count per class, in class order.</summary>
    public IReadOnlyList<int> CountPerClass =>
        Classes.Select((_, i) => Samples.Count(s => s.ClassIndex == i)).ToArray();

    /// <summary>The absolute path of <paramref name="sample"/>.</summary>
    public string FullPath(EuroSatSample sample) =>
        Path.Combine(Root, sample.RelativePath.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Decodes <paramref name="sample"/> into band-first values (<see cref="BandCount"/> planes of 64 × 64).</summary>
    /// <exception cref="InvalidPatchException">The file is damaged or not a EuroSAT patch; the message names it.</exception>
    public ushort[] Read(EuroSatSample sample) => Format == PatchFormat.Rgb
        ? JpegPatchReader.Read(FullPath(sample), PatchSize, PatchSize)
        : GeoTiffPatchReader.Read(FullPath(sample), PatchSize, PatchSize, SentinelBands.Count);

    /// <summary>
    /// Decodes every patch (in parallel) and returns the problems found, one per damaged file, in path order;
    /// empty when all files are usable. A check to run once on a new copy of the data, before training.
    /// </summary>
    public IReadOnlyList<InvalidPatchException> FindInvalidPatches() =>
        Samples.AsParallel().AsOrdered().Select(s =>
        {
            try
            {
                Read(s);
                return null;
            }
            catch (InvalidPatchException e)
            {
                return e;
            }
        }).OfType<InvalidPatchException>().ToList();

    /// <summary>The raw values of <paramref name="samples"/> as a float32 tensor <c>[N, bands, 64, 64]</c> (to look at; training uses the loader).</summary>
    public TorchSharp.torch.Tensor ReadImages(IReadOnlyList<EuroSatSample> samples)
    {
        int size = BandCount * PatchSize * PatchSize;
        var values = new float[samples.Count * size];
        Parallel.For(0, samples.Count, i =>
        {
            var pixels = Read(samples[i]);
            for (int p = 0; p < size; p++) values[i * size + p] = pixels[p];
        });
        return TorchSharp.torch.tensor(values, [samples.Count, BandCount, PatchSize, PatchSize]);
    }

    /// <summary>
    /// Opens the dataset in <paramref name="root"/>.
    /// </summary>
    /// <param name="root">The folder holding one folder per class.</param>
    /// <param name="format">RGB or multispectral; when null, taken from the files (.jpg or .tif).</param>
    /// <param name="classes">The class list; <see cref="EuroSatClasses.Names"/> when null.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A class folder is missing or empty, a folder is not a class, or the folder mixes formats.</exception>
    public static EuroSatDataset Open(string root, PatchFormat? format = null, IReadOnlyList<string>? classes = null)
    {
        var fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot)) throw new DirectoryNotFoundException($"EuroSAT folder not found: {fullRoot}");
        classes ??= EuroSatClasses.Names;

        var folders = Directory.GetDirectories(fullRoot).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        var unknown = folders.Where(f => !classes.Contains(f)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException(
                $"{fullRoot}: folder(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} are not classes (expected {string.Join(", ", classes)})");
        var missing = classes.Where(c => !folders.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{fullRoot}: no folder for class(es) {string.Join(", ", missing)}");

        var files = classes.Select((name, index) => (name, index, files: Directory.GetFiles(Path.Combine(fullRoot, name))
            .Select(Path.GetFileName).OfType<string>()
            .Where(f => !f.StartsWith('.') && FormatOf(f) is not null)
            .Order(StringComparer.Ordinal).ToList())).ToList();
        var empty = files.Where(c => c.files.Count == 0).Select(c => Path.Combine(fullRoot, c.name)).ToList();
        if (empty.Count > 0)
            throw new InvalidDataException($"empty class folder(s), no .jpg or .tif patches in: {string.Join(", ", empty)}");

        var formats = files.SelectMany(c => c.files.Select(f => FormatOf(f)!.Value)).Distinct().ToList();
        var chosen = format ?? (formats.Count == 1
            ? formats[0]
            : throw new InvalidDataException($"{fullRoot}: mixes JPEG and TIFF patches; open it with an explicit format"));
        var samples = files
            .SelectMany(c => c.files.Where(f => FormatOf(f) == chosen).Select(f => new EuroSatSample($"{c.name}/{f}", c.name, c.index)))
            .OrderBy(s => s.RelativePath, StringComparer.Ordinal)
            .ToList();
        var emptyInFormat = classes.Where((_, i) => samples.All(s => s.ClassIndex != i)).ToList();
        if (emptyInFormat.Count > 0)
            throw new InvalidDataException($"{fullRoot}: no {chosen} patches for class(es) {string.Join(", ", emptyInFormat)}");
        return new EuroSatDataset(fullRoot, chosen, classes, samples);
    }

    static PatchFormat? FormatOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => PatchFormat.Rgb,
        ".tif" or ".tiff" => PatchFormat.Multispectral,
        _ => null,
    };
}
