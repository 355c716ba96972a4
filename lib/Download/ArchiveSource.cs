namespace CnnSentinel.Download;

/// <summary>Where an archive comes from and what it must hash to.</summary>
/// <param name="Name">Short name, used for the completion marker (<c>rgb</c>, <c>ms</c>).</param>
/// <param name="Url">The archive's address.</param>
/// <param name="FileName">The archive's file name on disk.</param>
/// <param name="Sha256">Expected SHA-256 (hex); null to accept any content and only report its hash.</param>
internal sealed record ArchiveSource(string Name, Uri Url, string FileName, string? Sha256 = null)
{
    /// <summary>
    /// EuroSAT RGB (27,000 JPEGs, about 90 MB), from the EuroSAT authors' Zenodo record 7711810.
    /// No checksum is built in: none was published with the record that this project could confirm.
    /// </summary>
    public static ArchiveSource EuroSatRgb { get; } =
        new("rgb", new Uri("https://zenodo.org/records/7711810/files/EuroSAT_RGB.zip?download=1"), "EuroSAT_RGB.zip");

    /// <summary>EuroSAT multispectral (27,000 13-band GeoTIFFs, about 2 GB), same record, no built-in checksum.</summary>
    public static ArchiveSource EuroSatMultispectral { get; } =
        new("ms", new Uri("https://zenodo.org/records/7711810/files/EuroSAT_MS.zip?download=1"), "EuroSAT_MS.zip");
}
