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
    /// <param name="Verified">Whether it was checked against an expected value.</param>
    /// <param name="Extracted">Top-level names the archive holds in <paramref name="Folder"/>.</param>
    /// <param name="AlreadyComplete">True when the marker was there and nothing was done.</param>
    public sealed record Result(string Folder, string Sha256, bool Verified, IReadOnlyList<string> Extracted, bool AlreadyComplete);

    sealed record Marker(string Url, string Sha256, bool Verified, IReadOnlyList<string> Extracted, DateTimeOffset CompletedAt);

    /// <summary>The completion marker of <paramref name="source"/> in <paramref name="folder"/>.</summary>
    public static string MarkerPath(ArchiveSource source, string folder) => Path.Combine(folder, $".{source.Name}.complete");

    /// <summary>Downloads, verifies and extracts <paramref name="source"/> into <paramref name="folder"/>, unless already done.</summary>
    public static async Task<Result> RunAsync(HttpClient http, ArchiveSource source, string folder, bool keepArchive = false,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        folder = Path.GetFullPath(folder);
        var marker = MarkerPath(source, folder);
        if (File.Exists(marker) && JsonSerializer.Deserialize<Marker>(await File.ReadAllTextAsync(marker, cancellation).ConfigureAwait(false)) is { } done)
            return new Result(folder, done.Sha256, done.Verified, done.Extracted, AlreadyComplete: true);

        // An archive under its final name was downloaded completely (a part is renamed only then); reuse it
        // unless it fails the checksum.
        var archive = Path.Combine(folder, source.FileName);
        string? sha = File.Exists(archive) ? await ResumableDownload.Sha256Async(archive, cancellation).ConfigureAwait(false) : null;
        if (sha is null || !ResumableDownload.Matches(sha, source.Sha256))
            sha = await ResumableDownload.DownloadAsync(http, source.Url, archive, source.Sha256, progress, cancellation).ConfigureAwait(false);
        var extracted = SafeZipExtractor.Extract(archive, folder);
        AtomicFile.WriteAllText(marker, JsonSerializer.Serialize(new Marker(source.Url.ToString(), sha, source.Sha256 is not null, extracted, DateTimeOffset.UtcNow)));
        if (!keepArchive) File.Delete(archive);
        return new Result(folder, sha, source.Sha256 is not null, extracted, AlreadyComplete: false);
    }
}
