using System.IO.Compression;
using System.Security.Cryptography;
using CnnSentinel.Datasets;
using CnnSentinel.Download;

namespace CnnSentinel.Tests.Download;

public class DatasetDownloadTests
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A zip of a tiny EuroSAT-like folder: EuroSAT_RGB/A/A_1.jpg … (like the official archive's layout).</summary>
    static byte[] DatasetZip(params string[] extraEntries)
    {
        var source = PatchFixtures.RgbFolder(TestEnvironment.NewTempDirectory("zip-source"), ["A", "B"], 3);
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                zip.CreateEntryFromFile(file, "EuroSAT_RGB/" + Path.GetRelativePath(source, file).Replace('\\', '/'));
            foreach (var name in extraEntries)
                using (var writer = new StreamWriter(zip.CreateEntry(name).Open())) writer.Write("payload");
        }
        return memory.ToArray();
    }

    static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    static ArchiveSource Source(LoopbackFileServer server, string? sha) => new("rgb", server.Url, "EuroSAT_RGB.zip", sha);

    [Fact]
    public async Task DownloadsVerifiesExtractsAndMarksCompletion()
    {
        var zip = DatasetZip();
        using var server = new LoopbackFileServer(zip);
        var folder = TestEnvironment.NewTempDirectory();
        var reports = new List<DownloadProgress>();
        var result = await DatasetDownload.RunAsync(Http, Source(server, Sha256(zip).ToUpperInvariant()), folder, progress: new Collect(reports));

        Assert.True(result.Verified);
        Assert.Equal(Sha256(zip), result.Sha256);
        Assert.Equal(["EuroSAT_RGB"], result.Extracted);
        Assert.Equal(6, EuroSatDataset.Open(Path.Combine(folder, "EuroSAT_RGB"), classes: ["A", "B"]).Samples.Count);
        Assert.True(File.Exists(DatasetDownload.MarkerPath(Source(server, null), folder)));
        Assert.False(File.Exists(Path.Combine(folder, "EuroSAT_RGB.zip")));
        Assert.Equal(zip.Length, reports[^1].Received);
        Assert.Equal(100.0, reports[^1].Percent);

        var again = await DatasetDownload.RunAsync(Http, Source(server, Sha256(zip)), folder);
        Assert.True(again.AlreadyComplete);
        Assert.Single(server.Ranges); // the second run asked the server nothing
    }

    [Fact]
    public async Task ResumesAPartialDownloadWithARangeRequest()
    {
        var zip = DatasetZip();
        using var server = new LoopbackFileServer(zip);
        var folder = TestEnvironment.NewTempDirectory();
        File.WriteAllBytes(Path.Combine(folder, "EuroSAT_RGB.zip" + ResumableDownload.PartSuffix), zip[..1000]);

        var result = await DatasetDownload.RunAsync(Http, Source(server, Sha256(zip)), folder, keepArchive: true);
        Assert.Equal(["bytes=1000-"], server.Ranges);
        Assert.Equal(zip, File.ReadAllBytes(Path.Combine(folder, "EuroSAT_RGB.zip")));
        Assert.True(result.Verified);
    }

    [Fact]
    public async Task StartsOverWhenTheServerIgnoresTheRange()
    {
        var zip = DatasetZip();
        using var server = new LoopbackFileServer(zip, honourRange: false);
        var folder = TestEnvironment.NewTempDirectory();
        var part = Path.Combine(folder, "EuroSAT_RGB.zip" + ResumableDownload.PartSuffix);
        File.WriteAllBytes(part, zip[..1000]);
        await ResumableDownload.DownloadAsync(Http, server.Url, Path.Combine(folder, "EuroSAT_RGB.zip"), Sha256(zip));
        Assert.Equal(zip, File.ReadAllBytes(Path.Combine(folder, "EuroSAT_RGB.zip")));
        Assert.False(File.Exists(part));
    }

    [Fact]
    public async Task ChecksumMismatchIsAClearErrorAndLeavesNothingBehind()
    {
        var zip = DatasetZip();
        var corrupt = (byte[])zip.Clone();
        corrupt[corrupt.Length / 2] ^= 0xFF;
        using var server = new LoopbackFileServer(corrupt);
        var folder = TestEnvironment.NewTempDirectory();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetDownload.RunAsync(Http, Source(server, Sha256(zip)), folder));
        Assert.Contains("SHA-256 mismatch", error.Message);
        Assert.Contains(Sha256(zip), error.Message);
        Assert.Contains(Sha256(corrupt), error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder)); // no part, no archive, no extracted files, no marker
    }

    [Fact]
    public async Task ArchiveWithParentDirectoryEntriesIsRefusedBeforeWritingAnything()
    {
        var zip = DatasetZip("EuroSAT_RGB/../../escaped.txt");
        using var server = new LoopbackFileServer(zip);
        var parent = TestEnvironment.NewTempDirectory();
        var folder = Path.Combine(parent, "target");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetDownload.RunAsync(Http, Source(server, Sha256(zip)), folder));
        Assert.Contains("'EuroSAT_RGB/../../escaped.txt'", error.Message);
        Assert.Contains("outside", error.Message);
        Assert.False(File.Exists(Path.Combine(parent, "escaped.txt")));
        Assert.False(Directory.Exists(Path.Combine(folder, "EuroSAT_RGB")));
        Assert.False(File.Exists(DatasetDownload.MarkerPath(Source(server, null), folder)));
    }

    [Fact]
    public void AbsoluteEntriesAreRefused()
    {
        var folder = TestEnvironment.NewTempDirectory();
        var archive = Path.Combine(folder, "bad.zip");
        File.WriteAllBytes(archive, DatasetZip("/tmp/absolute.txt"));
        var error = Assert.Throws<InvalidDataException>(() => SafeZipExtractor.Extract(archive, Path.Combine(folder, "out")));
        Assert.Contains("absolute", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(folder, "out")));
    }

    [Fact]
    public void ExtractingOverExistingContentIsRefused()
    {
        var folder = TestEnvironment.NewTempDirectory();
        var archive = Path.Combine(folder, "a.zip");
        File.WriteAllBytes(archive, DatasetZip());
        var target = Path.Combine(folder, "out");
        Assert.Equal(["EuroSAT_RGB"], SafeZipExtractor.Extract(archive, target));
        Assert.Contains("already exist", Assert.Throws<InvalidDataException>(() => SafeZipExtractor.Extract(archive, target)).Message);
    }

    sealed class Collect(List<DownloadProgress> into) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => into.Add(value);
    }
}
