using System.CommandLine;
using CnnSentinel.Export;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel serve</c>: the map web page on 127.0.0.1, with the headers that give it WebAssembly threads.</summary>
static class ServeCommand
{
    public static Command Create()
    {
        // Optional without a declared default, so that the help says "out/web" rather than this checkout's absolute path.
        var folder = new Argument<DirectoryInfo?>("folder")
        {
            Description = "The page's folder, written by export --to or notebook 08 (out/web by default).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1.", DefaultValueFactory = _ => 8000 };
        var command = new Command("serve", "Serve the map web page on 127.0.0.1 until Ctrl+C.")
        {
            folder, port,
        };
        command.SetAction(parse => CommandErrors.Run("serve", () =>
        {
            if (parse.GetValue(port) is < 1 or > 65535) throw new UserErrorException($"--port {parse.GetValue(port)}: give a port in 1–65535.");
            using var stop = new ManualResetEventSlim();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Set(); };
            var page = parse.GetValue(folder)?.FullName ?? Path.Combine(ProjectPaths.Output, "web");
            using var server = new MapPageServer(page, parse.GetValue(port));
            Console.WriteLine($"serve: {page} at {server.Url} (Ctrl+C stops)");
            stop.Wait();
            return 0;
        }));
        return command;
    }
}
