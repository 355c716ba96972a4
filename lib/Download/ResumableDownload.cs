using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace CnnSentinel.Download;

/// <summary>
/// Downloads one file over HTTP(S): into <c>&lt;file&gt;.part</c>, resuming an existing part with an HTTP Range
/// request, then checks it (its SHA-256 where one is expected, and the caller's own check) and only then renames
/// it to its final name. A check that fails deletes the part, so a bad file is never reused. Redirects are followed
/// only to http(s) addresses; a connection that sends nothing for <see cref="DefaultStallTimeout"/> is given up
/// (the part is kept: run again to resume).
/// </summary>
internal static class ResumableDownload
{
    /// <summary>The suffix of an unfinished download.</summary>
    public const string PartSuffix = ".part";

    /// <summary>How long a connection may send nothing (headers or body) before the download gives up: 60 s.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    const int MaxRedirects = 10;

    /// <summary>
    /// An <see cref="HttpClient"/> for <see cref="DownloadAsync"/>: a 30 s connect timeout, no overall timeout (archives are
    /// large; stalls are caught per read), redirects left to <see cref="DownloadAsync"/>, which refuses non-http(s) ones.
    /// </summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>A SHA-256 as given by a user: 64 hexadecimal characters (any case, surrounding spaces ignored).</summary>
    public static bool IsSha256(string text) => text.Trim() is { Length: 64 } hex && hex.All(char.IsAsciiHexDigit);

    /// <summary>
    /// Fetches <paramref name="url"/> to <paramref name="destination"/> and returns the file's SHA-256 (lower-case hex).
    /// </summary>
    /// <param name="http">The client (see <see cref="CreateClient"/>).</param>
    /// <param name="url">The address.</param>
    /// <param name="destination">The final path; the file appears there only once complete and checked.</param>
    /// <param name="expectedSha256">The content's SHA-256, when known.</param>
    /// <param name="verify">A check of the finished part (throws <see cref="InvalidDataException"/>), e.g. that a zip's central directory reads.</param>
    /// <param name="progress">Receives bytes so far.</param>
    /// <param name="stallTimeout">How long the server may send nothing; <see cref="DefaultStallTimeout"/> when null.</param>
    /// <param name="cancellation">Stops the download (the part is kept).</param>
    /// <exception cref="InvalidDataException">The content fails a check, or a redirect leads to a non-http(s) address; the partial file is deleted.</exception>
    /// <exception cref="HttpRequestException">The server answered with an error.</exception>
    /// <exception cref="TimeoutException">The server sent nothing for <paramref name="stallTimeout"/>; the part is kept.</exception>
    public static async Task<string> DownloadAsync(HttpClient http, Uri url, string destination, string? expectedSha256 = null,
        Action<string>? verify = null, IProgress<DownloadProgress>? progress = null, TimeSpan? stallTimeout = null,
        CancellationToken cancellation = default)
    {
        if (expectedSha256 is not null && !IsSha256(expectedSha256))
            throw new ArgumentException($"'{expectedSha256}' is not a SHA-256 (64 hexadecimal characters).", nameof(expectedSha256));
        var stall = stallTimeout ?? DefaultStallTimeout;
        var part = destination + PartSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        long existing = File.Exists(part) ? new FileInfo(part).Length : 0;

        using var response = await SendAsync(http, url, existing, stall, cancellation).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
        {
            // The part already holds the whole file; the checks below decide whether it is right.
        }
        else
        {
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
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
            while ((read = await WithStallTimeout(url, stall, cancellation, token => body.ReadAsync(buffer, token)).ConfigureAwait(false)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                received += read;
                progress?.Report(new DownloadProgress(received, total));
            }
            await target.FlushAsync(cancellation).ConfigureAwait(false);
            if (total is { } expected && received != expected)
                throw new IOException($"{url}: the connection closed after {received:N0} of {expected:N0} bytes; run again to resume ({part})");
        }

        var actual = await Sha256Async(part, cancellation).ConfigureAwait(false);
        try
        {
            if (!Matches(actual, expectedSha256))
                throw new InvalidDataException($"SHA-256 mismatch, expected {expectedSha256!.Trim().ToLowerInvariant()} but the download hashes to {actual}");
            verify?.Invoke(part);
        }
        catch (InvalidDataException e)
        {
            File.Delete(part); // a bad part must not be resumed or reused
            throw new InvalidDataException($"{url} → {destination}: {e.Message}; the download was deleted, nothing was extracted", e);
        }
        File.Move(part, destination, overwrite: true);
        return actual;
    }

    /// <summary>Sends the GET (with a Range when resuming), following at most <see cref="MaxRedirects"/> redirects to http(s) addresses.</summary>
    static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri url, long existing, TimeSpan stall, CancellationToken cancellation)
    {
        var address = url;
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
            var response = await WithStallTimeout(address, stall, cancellation,
                token => http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token)).ConfigureAwait(false);
            if ((int)response.StatusCode is < 300 or >= 400 || response.StatusCode == HttpStatusCode.NotModified) return response;
            var location = response.Headers.Location;
            response.Dispose();
            if (location is null) throw new HttpRequestException($"{address}: redirect ({(int)response.StatusCode}) without a Location");
            var next = location.IsAbsoluteUri ? location : new Uri(address, location);
            if (next.Scheme is not ("http" or "https"))
                throw new InvalidDataException($"{address} redirects to '{location.OriginalString}', which is not an http(s) address; not followed");
            if (hop == MaxRedirects) throw new HttpRequestException($"{url}: more than {MaxRedirects} redirects");
            address = next;
        }
    }

    static async Task<T> WithStallTimeout<T>(Uri url, TimeSpan stall, CancellationToken cancellation, Func<CancellationToken, Task<T>> work)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timer.CancelAfter(stall);
        try
        {
            return await work(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"{url}: the server sent nothing for {stall.TotalSeconds:0} s; run again to resume");
        }
    }

    static async Task<int> WithStallTimeout(Uri url, TimeSpan stall, CancellationToken cancellation, Func<CancellationToken, ValueTask<int>> read) =>
        await WithStallTimeout(url, stall, cancellation, token => read(token).AsTask()).ConfigureAwait(false);

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
