using System.Net;
using System.Net.Sockets;

namespace CnnSentinel.Export;

/// <summary>
/// Serves a map page folder (<see cref="MapPage.Write"/>) on 127.0.0.1, for <c>cnnsentinel serve</c>, notebooks and the
/// page's browser tests: a page that fetches WebAssembly and a model needs http://, not file://. It needs no particular
/// headers (the page maps in one Web Worker per core, each with its own memory), so any static file server will do as
/// well; this one serves a model from elsewhere beside the page's files and tells the browser not to cache them.
/// </summary>
public sealed class MapPageServer : IDisposable
{
    static readonly Dictionary<string, string> ContentTypes = new()
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript", [".mjs"] = "text/javascript",
        [".wasm"] = "application/wasm", [".png"] = "image/png", [".json"] = "application/json",
    };

    readonly HttpListener _listener = new();
    readonly string _root;
    readonly IReadOnlyDictionary<string, string> _extraFiles;
    readonly Task _serving;

    /// <summary>Starts serving <paramref name="folder"/> on 127.0.0.1.</summary>
    /// <param name="folder">The page's folder (index.html, its scripts, vendor/, model.onnx).</param>
    /// <param name="port">The port; a free one when 0.</param>
    /// <param name="extraFiles">Files served from elsewhere, by URL path without the leading slash (e.g. <c>model.onnx</c> → a model file).</param>
    /// <exception cref="UserErrorException">The folder holds no index.html, or the port is taken.</exception>
    public MapPageServer(string folder, int port = 0, IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        _root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        _extraFiles = extraFiles ?? new Dictionary<string, string>();
        if (!File.Exists(Path.Combine(_root, "index.html")))
            throw new UserErrorException($"{folder} holds no index.html: give the folder that `cnnsentinel export --to` or notebook 08 wrote.");
        if (port == 0)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        try { _listener.Start(); }
        catch (HttpListenerException e) { throw new UserErrorException($"Cannot listen on {Url}: {e.Message} (another port: --port N)."); }
        _serving = Task.Run(Serve);
    }

    /// <summary>The page's address, ending in a slash.</summary>
    public string Url { get; }

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try { await Answer(context); }
            catch (Exception e) when (e is HttpListenerException or IOException) { } // the browser went away mid-answer
        }
    }

    async Task Answer(HttpListenerContext context)
    {
        using var response = context.Response;
        response.Headers["Cache-Control"] = "no-cache"; // a model exported again is fetched again
        var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
        if (relative.Length == 0) relative = "index.html";
        var path = _extraFiles.TryGetValue(relative, out var extra) ? extra : Path.GetFullPath(Path.Combine(_root, relative));
        if (extra is null && !path.StartsWith(_root, StringComparison.Ordinal) || !File.Exists(path))
        {
            response.StatusCode = 404;
            return;
        }
        response.ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
        await using var file = File.OpenRead(path);
        response.ContentLength64 = file.Length; // the page shows the model's download against it
        await file.CopyToAsync(response.OutputStream);
    }

    /// <summary>Stops serving.</summary>
    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
