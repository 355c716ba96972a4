using System.Text.Json;
using CnnSentinel.IO;

namespace CnnSentinel.Download;

/// <summary>
/// Downloads and extracts a dataset archive into a folder, once: a completion marker
/// (<c>.&lt;name&gt;.complete</c>, JSON, written atomically last) says that the folder holds the whole,
/// verified content; without it, a new run resumes the download and extracts again.
/// </summary>
public static class DatasetDownload
{
    /// <summary>What a run did.</summary>
    /// <param name="Folder">The target folder.</param>
    /// <param name="Sha256">The archive's SHA-256.</param>
    /// <param name="Verified">Whether it was checked against a known checksum (the publisher's MD5, a given SHA-256).</param>
    /// <param name="Extracted">Top-level names the archive holds in <paramref name="Folder"/>.</param>
    /// <param name="AlreadyComplete">True when the marker was there and nothing was done.</param>
    public sealed record Result(string Folder, string Sha256, bool Verified, IReadOnlyList<string> Extracted, bool AlreadyComplete);

    sealed record Marker(string Url, string Sha256, bool Verified, IReadOnlyList<string> Extracted, DateTimeOffset CompletedAt);

    /// <summary>The completion marker of <paramref name="source"/> in <paramref name="folder"/>.</summary>
    public static string MarkerPath(ArchiveSource source, string folder) => Path.Combine(folder, $".{source.Name}.complete");

    /// <summary>Downloads, verifies and extracts <paramref name="source"/> into <paramref name="folder"/>, unless already done.</summary>
    /// <remarks>
    /// A download gets its final name only after its checks: the publisher's MD5 and the SHA-256 where they are known, and always that it is a
    /// readable zip, so an HTML error page or a cut-off transfer is deleted and named in the error instead of being reused by the next
    /// run. An interrupted download resumes on the next run; one that receives nothing for 60 s is given up.
    /// </remarks>
    /// <param name="source">The archive (<see cref="ArchiveSource.EuroSatRgb"/>, <see cref="ArchiveSource.EuroSatMultispectral"/>, or another address with its checksum).</param>
    /// <param name="folder">Where it is extracted.</param>
    /// <param name="keepArchive">Keep the downloaded zip beside the extracted files.</param>
    /// <param name="progress">Told how far the download is; none when null.</param>
    /// <param name="cancellation">Stops the download; the part is kept for the next run.</param>
    /// <exception cref="InvalidDataException">The download is not the archive (checksum, not a zip, unsafe entries); the message names it.</exception>
    /// <exception cref="HttpRequestException">The server refused or the connection failed.</exception>
    public static async Task<Result> RunAsync(ArchiveSource source, string folder, bool keepArchive = false,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var http = ResumableDownload.CreateClient();
        return await RunAsync(http, source, folder, keepArchive, progress, cancellation);
    }

    /// <summary>Downloads, verifies and extracts <paramref name="source"/> into <paramref name="folder"/>, unless already done.</summary>
    /// <remarks>
    /// A download gets its final name only after its checks: the publisher's MD5 and the SHA-256 where they are known, and always that it is a
    /// readable zip (its central directory, written last, is read), so an HTML error page or a cut-off transfer is
    /// deleted and named in the error instead of being reused by the next run. A damaged marker counts as absent.
    /// </remarks>
    internal static async Task<Result> RunAsync(HttpClient http, ArchiveSource source, string folder, bool keepArchive = false,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default, TimeSpan? stallTimeout = null)
    {
        folder = Path.GetFullPath(folder);
        var marker = MarkerPath(source, folder);
        if (await ReadMarkerAsync(marker, cancellation).ConfigureAwait(false) is { } done)
            return new Result(folder, done.Sha256, done.Verified, done.Extracted, AlreadyComplete: true);

        // An archive under its final name passed its checks when it was downloaded; reuse it if it still does.
        var archive = Path.Combine(folder, source.FileName);
        string? sha = File.Exists(archive) ? await ResumableDownload.Sha256Async(archive, cancellation).ConfigureAwait(false) : null;
        if (sha is not null && !(ResumableDownload.Matches(sha, source.Sha256) && Passes(source, archive)))
        {
            File.Delete(archive);
            sha = null;
        }
        sha ??= await ResumableDownload.DownloadAsync(http, source.Url, archive, source.Sha256, verify: part => Check(source, part),
            progress: progress, stallTimeout: stallTimeout, cancellation: cancellation).ConfigureAwait(false);
        var extracted = SafeZipExtractor.Extract(archive, folder, names =>
            AtomicFile.WriteAllText(marker, JsonSerializer.Serialize(new Marker(source.Url.ToString(), sha, source.HasChecksum, names, DateTimeOffset.UtcNow))));
        if (!keepArchive) File.Delete(archive);
        return new Result(folder, sha, source.HasChecksum, extracted, AlreadyComplete: false);
    }

    /// <summary>The checks of a finished download: the publisher's MD5 where one is known, then that it reads as a zip.</summary>
    static void Check(ArchiveSource source, string path)
    {
        source.CheckPublishedMd5(path);
        SafeZipExtractor.Open(path).Dispose();
    }

    static bool Passes(ArchiveSource source, string path)
    {
        try
        {
            Check(source, path);
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>The marker, or null when it is missing or damaged (then the download and extraction run again).</summary>
    static async Task<Marker?> ReadMarkerAsync(string path, CancellationToken cancellation)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<Marker>(await File.ReadAllTextAsync(path, cancellation).ConfigureAwait(false)) is { Extracted: not null, Sha256: not null } marker
                ? marker : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
