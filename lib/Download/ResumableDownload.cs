using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace CnnSentinel.Download;

/// <summary>
/// Downloads one file over HTTP(S): into <c>&lt;file&gt;.part</c>, resuming an existing part with an HTTP Range
/// request, then checks its SHA-256 and only then renames it to its final name.
/// </summary>
public static class ResumableDownload
{
    /// <summary>The suffix of an unfinished download.</summary>
    public const string PartSuffix = ".part";

    /// <summary>
    /// Fetches <paramref name="url"/> to <paramref name="destination"/> and returns the file's SHA-256 (lower-case hex).
    /// </summary>
    /// <exception cref="InvalidDataException">The content does not hash to <paramref name="expectedSha256"/>; the partial file is deleted.</exception>
    /// <exception cref="HttpRequestException">The server answered with an error.</exception>
    public static async Task<string> DownloadAsync(HttpClient http, Uri url, string destination, string? expectedSha256 = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        var part = destination + PartSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        long existing = File.Exists(part) ? new FileInfo(part).Length : 0;

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
        {
            // The part already holds the whole file; the checksum below decides whether it is right.
        }
        else
        {
            response.EnsureSuccessStatusCode();
            bool resumed = response.StatusCode == HttpStatusCode.PartialContent
                && response.Content.Headers.ContentRange?.From == existing;
            if (!resumed) existing = 0; // the server ignored the range: start over
            long? total = response.Content.Headers.ContentLength is { } length ? existing + length : null;
            await using var target = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write);
            await using var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            var buffer = new byte[1 << 16];
            long received = existing;
            progress?.Report(new DownloadProgress(received, total));
            int read;
            while ((read = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                received += read;
                progress?.Report(new DownloadProgress(received, total));
            }
            await target.FlushAsync(cancellation).ConfigureAwait(false);
        }

        var actual = await Sha256Async(part, cancellation).ConfigureAwait(false);
        if (!Matches(actual, expectedSha256))
        {
            File.Delete(part); // a corrupt part must not be resumed
            throw new InvalidDataException(
                $"{url}: SHA-256 mismatch, expected {expectedSha256!.Trim().ToLowerInvariant()} but the download hashes to {actual}; the partial file was deleted, nothing was extracted");
        }
        File.Move(part, destination, overwrite: true);
        return actual;
    }

    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellation = default)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellation).ConfigureAwait(false));
    }

    /// <summary>True when there is no expectation or <paramref name="actual"/> meets it (hex, any case).</summary>
    public static bool Matches(string actual, string? expectedSha256) =>
        expectedSha256 is null || string.Equals(actual, expectedSha256.Trim(), StringComparison.OrdinalIgnoreCase);
}
