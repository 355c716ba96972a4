using System.Net;
using System.Net.Sockets;

namespace CnnSentinel.Tests.Export;

/// <summary>
/// Serves the files of one folder (and extra files by name) on 127.0.0.1, for the browser test of the map page:
/// a page that fetches WebAssembly and models needs http://, not file://.
/// </summary>
public sealed class StaticFileServer : IDisposable
{
    static readonly Dictionary<string, string> ContentTypes = new()
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript", [".mjs"] = "text/javascript",
        [".wasm"] = "application/wasm", [".png"] = "image/png",
    };

    readonly HttpListener listener = new();
    readonly string root;
    readonly IReadOnlyDictionary<string, string> extraFiles;
    readonly Task serving;

    /// <summary>Starts serving <paramref name="root"/>, plus <paramref name="extraFiles"/> (URL path without the slash → file).</summary>
    public StaticFileServer(string root, IReadOnlyDictionary<string, string> extraFiles)
    {
        (this.root, this.extraFiles) = (Path.GetFullPath(root), extraFiles);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
        }
        listener.Prefixes.Add(Url);
        listener.Start();
        serving = Task.Run(Serve);
    }

    /// <summary>The address of the folder, ending in a slash.</summary>
    public string Url { get; }

    async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var response = context.Response;
            var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
            if (relative.Length == 0) relative = "index.html";
            var path = extraFiles.TryGetValue(relative, out var extra) ? extra : Path.GetFullPath(Path.Combine(root, relative));
            if (!path.StartsWith(root, StringComparison.Ordinal) && extra is null || !File.Exists(path))
            {
                response.StatusCode = 404;
                continue;
            }
            response.ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            var bytes = await File.ReadAllBytesAsync(path);
            await response.OutputStream.WriteAsync(bytes);
        }
    }

    /// <summary>Stops serving.</summary>
    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try { serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
