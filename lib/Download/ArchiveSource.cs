using System.Security.Cryptography;

namespace CnnSentinel.Download;

/// <summary>Where an archive comes from and what it must hash to.</summary>
/// <param name="Name">Short name, used for the completion marker (<c>rgb</c>, <c>ms</c>).</param>
/// <param name="Url">The archive's address.</param>
/// <param name="FileName">The archive's file name on disk.</param>
/// <param name="Sha256">Expected SHA-256 (hex), e.g. one a user gives; null when none is known.</param>
/// <param name="Md5">The MD5 (hex) its publisher lists for the file (Zenodo lists MD5s); null when none is known.</param>
/// <remarks>
/// An archive with neither checksum is accepted when it reads as a zip, and its SHA-256 is reported. MD5 is weak against a
/// forger but catches what it is here to catch: a truncated, damaged, outdated or substituted file from a mirror.
/// </remarks>
public sealed record ArchiveSource(string Name, Uri Url, string FileName, string? Sha256 = null, string? Md5 = null)
{
    /// <summary>
    /// EuroSAT RGB (27,000 JPEGs, about 90 MB), from the EuroSAT authors' Zenodo record 7711810 (DOI 10.5281/zenodo.7711810),
    /// with the MD5 the record lists for EuroSAT_RGB.zip.
    /// </summary>
    public static ArchiveSource EuroSatRgb { get; } =
        new("rgb", new Uri("https://zenodo.org/records/7711810/files/EuroSAT_RGB.zip?download=1"), "EuroSAT_RGB.zip",
            Md5: "f46e308c4d50d4bf32fedad2d3d62f3b");

    /// <summary>EuroSAT multispectral (27,000 13-band GeoTIFFs, about 2 GB), same record, with its listed MD5.</summary>
    public static ArchiveSource EuroSatMultispectral { get; } =
        new("ms", new Uri("https://zenodo.org/records/7711810/files/EuroSAT_MS.zip?download=1"), "EuroSAT_MS.zip",
            Md5: "091174add3c8e680a49244acf185b9f0");

    /// <summary>Whether <paramref name="text"/> is a SHA-256 as <see cref="Sha256"/> takes it: 64 hexadecimal characters.</summary>
    public static bool IsSha256(string text) => ResumableDownload.IsSha256(text);

    /// <summary>Whether a download is checked against a known checksum, not only read as a zip.</summary>
    public bool HasChecksum => Sha256 is not null || Md5 is not null;

    /// <summary>The checksums a download is checked against, in words (for messages).</summary>
    public string ChecksumsInWords => string.Join(" and ", new[] { Md5 is null ? null : "the publisher's MD5", Sha256 is null ? null : "the given SHA-256" }
        .OfType<string>()) is { Length: > 0 } words ? words : "no checksum";

    /// <summary>Checks <paramref name="path"/> against <see cref="Md5"/> (the SHA-256 is checked while downloading).</summary>
    /// <exception cref="InvalidDataException">The file's MD5 differs from the published one.</exception>
    internal void CheckPublishedMd5(string path)
    {
        if (Md5 is null) return;
        using var file = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(MD5.HashData(file));
        if (!string.Equals(actual, Md5, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"MD5 mismatch: {FileName} is published with MD5 {Md5} but the download hashes to {actual}");
    }
}
