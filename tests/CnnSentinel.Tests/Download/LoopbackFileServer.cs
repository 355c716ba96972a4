using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CnnSentinel.Tests.Download;

/// <summary>
/// Serves one byte array at http://127.0.0.1:PORT/file.zip, honouring "Range: bytes=N-" unless told not to,
/// and records the Range headers it received. Loopback only; stops when disposed. Faults on request: no
/// Content-Length (chunked), a redirect to another address, a stall after some bytes.
/// </summary>
sealed class LoopbackFileServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly byte[] _content;
    readonly bool _honourRange;
    readonly Task _serving;
    readonly bool _sendLength;
    readonly string? _redirectTo;
    readonly int? _stallAfter;
    readonly CancellationTokenSource _stopping = new();

    /// <param name="content">What to serve.</param>
    /// <param name="honourRange">Whether to answer a Range request with 206.</param>
    /// <param name="sendLength">Whether to send Content-Length (false: chunked, as some servers do).</param>
    /// <param name="redirectTo">Answer every request with a 302 to this address instead.</param>
    /// <param name="stallAfter">Send this many bytes, then nothing until disposed.</param>
    public LoopbackFileServer(byte[] content, bool honourRange = true, bool sendLength = true, string? redirectTo = null, int? stallAfter = null)
    {
        _content = content;
        _honourRange = honourRange;
        _sendLength = sendLength;
        _redirectTo = redirectTo;
        _stallAfter = stallAfter;
        int port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/file.zip");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(Serve);
    }

    public Uri Url { get; }

    /// <summary>The Range header of each request ("" for none).</summary>
    public ConcurrentQueue<string> Ranges { get; } = new();

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            var range = context.Request.Headers["Range"] ?? "";
            Ranges.Enqueue(range);
            long start = 0;
            if (_honourRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                start = long.Parse(range["bytes=".Length..^1]);
            var response = context.Response;
            if (_redirectTo is not null)
            {
                response.StatusCode = 302;
                response.Headers["Location"] = _redirectTo;
                response.Close();
                continue;
            }
            if (start >= _content.Length && start > 0)
            {
                response.StatusCode = 416;
                response.Close();
                continue;
            }
            if (start > 0)
            {
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{_content.Length - 1}/{_content.Length}";
            }
            if (_sendLength) response.ContentLength64 = _content.Length - start;
            else response.SendChunked = true;
            if (_stallAfter is { } stall)
            {
                await response.OutputStream.WriteAsync(_content.AsMemory((int)start, stall));
                await response.OutputStream.FlushAsync();
                try { await Task.Delay(Timeout.Infinite, _stopping.Token); } catch (OperationCanceledException) { }
                response.Abort();
                continue;
            }
            try
            {
                await response.OutputStream.WriteAsync(_content.AsMemory((int)start));
                response.Close();
            }
            // A client killed mid-answer (as the interruption tests kill downloads) resets the connection: the next
            // request is served all the same.
            catch (Exception e) when (e is HttpListenerException or IOException) { response.Abort(); }
        }
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on (free when asked; a test's server takes it next).</summary>
    internal static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
