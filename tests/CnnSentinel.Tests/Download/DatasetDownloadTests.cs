using System.IO.Compression;
using System.Security.Cryptography;
using CnnSentinel.Datasets;
using CnnSentinel.Download;

namespace CnnSentinel.Tests.Download;

public class DatasetDownloadTests
{
    static readonly HttpClient Http = ResumableDownload.CreateClient();

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
    public async Task ThePublishedMd5IsBuiltInAndChecked()
    {
        // The official archives carry the MD5s their Zenodo record lists, so a wrong file is refused without --sha256.
        Assert.Equal("f46e308c4d50d4bf32fedad2d3d62f3b", ArchiveSource.EuroSatRgb.Md5);
        Assert.Equal("091174add3c8e680a49244acf185b9f0", ArchiveSource.EuroSatMultispectral.Md5);
        var zip = DatasetZip();
        using var server = new LoopbackFileServer(zip);
        var folder = TestEnvironment.NewTempDirectory();

        // A valid zip that is not the official archive, served from a "mirror": refused, named, deleted.
        var mirror = ArchiveSource.EuroSatRgb with { Url = server.Url };
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetDownload.RunAsync(Http, mirror, folder));
        Assert.Contains("MD5 mismatch", error.Message);
        Assert.Contains("f46e308c4d50d4bf32fedad2d3d62f3b", error.Message);
        Assert.Contains(Convert.ToHexStringLower(MD5.HashData(zip)), error.Message);
        Assert.Contains(Path.Combine(folder, "EuroSAT_RGB.zip"), error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));

        // The same file with its own MD5 passes and counts as verified.
        var result = await DatasetDownload.RunAsync(Http, mirror with { Md5 = Convert.ToHexStringLower(MD5.HashData(zip)) }, folder);
        Assert.True(result.Verified);
        Assert.Equal(["EuroSAT_RGB"], result.Extracted);
    }

    [Fact]
    public void TheCommandChecksThePublishedMd5UnlessASha256IsGiven()
    {
        var zip = DatasetZip();
        using var server = new LoopbackFileServer(zip);
        var folder = TestEnvironment.NewTempDirectory();
        var (code, _, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "download", "rgb", "--to", folder, "--url", server.Url.ToString()]);
        Assert.Equal(1, code);
        Assert.Contains("MD5 mismatch: EuroSAT_RGB.zip is published with MD5 f46e308c4d50d4bf32fedad2d3d62f3b", stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));

        var (ok, stdout, errors) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "download", "rgb", "--to", folder, "--url", server.Url.ToString(), "--sha256", Sha256(zip)]);
        Assert.True(ok == 0, errors);
        Assert.Contains($"SHA-256 {Sha256(zip)} (verified against the given SHA-256)", stdout);
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

    [Fact]
    public async Task AnErrorPageSentWith200IsDeletedNamedAndNotReused()
    {
        var folder = TestEnvironment.NewTempDirectory();
        using (var page = new LoopbackFileServer("<html><body>Service unavailable</body></html>"u8.ToArray()))
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetDownload.RunAsync(Http, Source(page, null), folder));
            Assert.Contains(Path.Combine(folder, "EuroSAT_RGB.zip"), error.Message);
            Assert.Contains("not a readable zip", error.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        // The same happens to a bad file already under the archive's name: it is replaced, not extracted.
        File.WriteAllText(Path.Combine(folder, "EuroSAT_RGB.zip"), "<html>old error page</html>");
        using var good = new LoopbackFileServer(DatasetZip(), sendLength: false);
        var result = await DatasetDownload.RunAsync(Http, Source(good, null), folder);
        Assert.Equal(["EuroSAT_RGB"], result.Extracted);
        Assert.False(result.Verified);
        Assert.Single(good.Ranges);
    }

    [Fact]
    public async Task RedirectsAreFollowedOnlyToHttpAddresses()
    {
        var zip = DatasetZip();
        using var target = new LoopbackFileServer(zip);
        using var hop = new LoopbackFileServer([], redirectTo: target.Url.ToString());
        var folder = TestEnvironment.NewTempDirectory();
        Assert.Equal(Sha256(zip), (await DatasetDownload.RunAsync(Http, Source(hop, Sha256(zip)), folder)).Sha256);

        using var toFile = new LoopbackFileServer([], redirectTo: "file:///etc/passwd");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetDownload.RunAsync(Http, Source(toFile, null), TestEnvironment.NewTempDirectory()));
        Assert.Contains("'file:///etc/passwd', which is not an http(s) address", error.Message);
    }

    [Fact]
    public async Task AStalledConnectionIsGivenUpAndTheRunResumesLater()
    {
        var zip = DatasetZip();
        var folder = TestEnvironment.NewTempDirectory();
        var part = Path.Combine(folder, "EuroSAT_RGB.zip" + ResumableDownload.PartSuffix);
        using (var stalling = new LoopbackFileServer(zip, stallAfter: 1000))
        {
            var error = await Assert.ThrowsAsync<TimeoutException>(() =>
                DatasetDownload.RunAsync(Http, Source(stalling, null), folder, stallTimeout: TimeSpan.FromSeconds(1)));
            Assert.Contains("sent nothing for 1 s", error.Message);
        }
        Assert.Equal(1000, new FileInfo(part).Length);
        using var server = new LoopbackFileServer(zip);
        await DatasetDownload.RunAsync(Http, Source(server, Sha256(zip)), folder);
        Assert.Equal(["bytes=1000-"], server.Ranges);
    }

    [Fact]
    public async Task ADamagedMarkerCountsAsAbsent()
    {
        var zip = DatasetZip();
        using var server = new LoopbackFileServer(zip);
        var folder = TestEnvironment.NewTempDirectory();
        File.WriteAllText(DatasetDownload.MarkerPath(Source(server, null), folder), "{ damaged");
        var result = await DatasetDownload.RunAsync(Http, Source(server, null), folder);
        Assert.False(result.AlreadyComplete);
        Assert.True((await DatasetDownload.RunAsync(Http, Source(server, null), folder)).AlreadyComplete);
    }

    [Fact]
    public async Task AShaThatIsNotOneIsRefusedBeforeDownloading()
    {
        using var server = new LoopbackFileServer(DatasetZip());
        await Assert.ThrowsAsync<ArgumentException>(() => DatasetDownload.RunAsync(Http, Source(server, "abc"), TestEnvironment.NewTempDirectory()));
        Assert.Empty(server.Ranges);
        var (code, _, stderr) = ExternalTools.Capture("dotnet", [ExternalTools.Cli, "download", "rgb", "--to", TestEnvironment.NewTempDirectory(), "--url", server.Url.ToString(), "--sha256", "abc"]);
        Assert.Equal(2, code);
        Assert.Contains("--sha256 must be 64 hexadecimal characters, not 'abc'", stderr);
        Assert.Empty(server.Ranges);
    }

    [Fact]
    public void EntryNamesAreNormalisedAndCollisionsRefused()
    {
        var folder = TestEnvironment.NewTempDirectory();
        var archive = Path.Combine(folder, "a.zip");
        File.WriteAllBytes(archive, DatasetZip("EuroSAT_RGB/../notes/./b.txt"));
        Assert.Equal(["EuroSAT_RGB", "notes"], SafeZipExtractor.Extract(archive, Path.Combine(folder, "out")));
        Assert.Equal("payload", File.ReadAllText(Path.Combine(folder, "out", "notes", "b.txt")));

        File.WriteAllBytes(archive, DatasetZip("x/c.txt", "x/./c.txt"));
        var error = Assert.Throws<InvalidDataException>(() => SafeZipExtractor.Extract(archive, Path.Combine(folder, "out2")));
        Assert.Contains("'x/c.txt' and 'x/./c.txt' would be written to the same file", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(folder, "out2")));
    }

    [Fact]
    public void StagingLeftByAKilledExtractionIsRemovedByTheNextOne()
    {
        var folder = TestEnvironment.NewTempDirectory();
        var archive = Path.Combine(folder, "a.zip");
        File.WriteAllBytes(archive, DatasetZip());
        var target = Path.Combine(folder, "out");
        int dead = DeadProcessId();
        var stale = Path.Combine(target, $".extracting-{dead}-{IO.ProcessLiveness.MachineToken}-{Guid.NewGuid():N}");
        var staleFile = Path.Combine(target, $".x_classes.tif.{dead}-{IO.ProcessLiveness.MachineToken}.{Guid.NewGuid():N}.tmp");
        var live = Path.Combine(target, $".extracting-{Environment.ProcessId}-{IO.ProcessLiveness.MachineToken}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(stale, "EuroSAT_RGB"));
        Directory.CreateDirectory(live);
        File.WriteAllText(staleFile, "half");
        SafeZipExtractor.Extract(archive, target);
        Assert.False(Directory.Exists(stale));
        Assert.False(File.Exists(staleFile));
        Assert.True(Directory.Exists(live)); // this process is alive: its staging is not touched
    }

    [Fact]
    public void AnExtractionStoppedWhileMovingIntoPlaceIsRedoneByTheNextRun()
    {
        var folder = TestEnvironment.NewTempDirectory();
        var archive = Path.Combine(folder, "a.zip");
        File.WriteAllBytes(archive, DatasetZip());
        var target = Path.Combine(folder, "out");
        // Stopped after the moves, before completion was recorded (as kill -9 would): the journal stays.
        Assert.Throws<IOException>(() => SafeZipExtractor.Extract(archive, target, _ => throw new IOException("stopped")));
        Assert.True(Directory.Exists(Path.Combine(target, "EuroSAT_RGB")));
        Assert.True(File.Exists(Path.Combine(target, ".a.zip.extracted")));

        var recorded = new List<string>();
        Assert.Equal(["EuroSAT_RGB"], SafeZipExtractor.Extract(archive, target, recorded.AddRange));
        Assert.Equal(["EuroSAT_RGB"], recorded);
        Assert.Equal(6, Directory.GetFiles(Path.Combine(target, "EuroSAT_RGB"), "*.jpg", SearchOption.AllDirectories).Length);
        Assert.Empty(Directory.GetFileSystemEntries(target, ".*"));
    }

    /// <summary>The id of a process that has exited.</summary>
    internal static int DeadProcessId()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        process.WaitForExit();
        return process.Id;
    }

    sealed class Collect(List<DownloadProgress> into) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => into.Add(value);
    }
}
