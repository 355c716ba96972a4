using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CnnSentinel.Tests;

/// <summary>Second readers for what the library writes: GDAL's command-line tools, python3-rasterio, headless Chromium.</summary>
static class ExternalTools
{
    /// <summary>The project's command line, as built beside the tests.</summary>
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "cnnsentinel.dll");

    /// <summary>Starts <paramref name="file"/> with its output redirected (read it, or the process may block).</summary>
    public static Process Start(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
    }

    /// <summary>Runs <paramref name="file"/> to the end; its exit code, stdout and stderr.</summary>
    public static (int Code, string Stdout, string Stderr) Capture(string file, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(file, arguments, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; returns stdout, fails the test with stderr on a non-zero exit.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var (code, stdout, stderr) = Capture(file, arguments);
        Assert.True(code == 0, $"{file} {string.Join(" ", arguments)} exited with {code}: {stderr}");
        return stdout;
    }

    /// <summary><c>gdalinfo -json -stats</c> of <paramref name="path"/>.</summary>
    public static JsonNode GdalInfo(string path) => JsonNode.Parse(Run("gdalinfo", "-json", "-stats", "-mm", path))!;

    /// <summary>
    /// What python3-rasterio reads from <paramref name="path"/>: crs (EPSG code), transform, nodata, colormap size, min/max of
    /// band 1, and the names of the files it reads (the raster and what GDAL found beside it, such as an .aux.xml).
    /// </summary>
    public static JsonNode Rasterio(string path) => JsonNode.Parse(Run("/usr/bin/python3", "-c", """
        import json, os, sys, numpy as np, rasterio
        with rasterio.open(sys.argv[1]) as r:
            a = r.read(1, masked=True)
            try: cmap = len(r.colormap(1))
            except ValueError: cmap = 0
            print(json.dumps({"epsg": r.crs.to_epsg() if r.crs else None, "transform": list(r.transform)[:6],
                "nodata": None if r.nodata is None or np.isnan(r.nodata) else r.nodata, "nodata_is_nan": r.nodata is not None and bool(np.isnan(r.nodata)),
                "colormap": cmap, "min": float(a.min()), "max": float(a.max()), "masked": int(np.ma.count_masked(a)),
                "width": r.width, "height": r.height, "count": r.count, "files": sorted(os.path.basename(f) for f in r.files)}))
        """, path))!;

    /// <summary>Debian's Chromium (installed by <c>scripts/setup.sh packages</c>).</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>
    /// The DOM of the local page <paramref name="html"/> after headless Chromium has loaded it and run its scripts
    /// (timers included, up to <paramref name="budgetMilliseconds"/> of virtual time), with no network.
    /// </summary>
    public static string RenderedDom(string html, int budgetMilliseconds = 20_000) =>
        Run(Chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--proxy-server=127.0.0.1:9",
            $"--virtual-time-budget={budgetMilliseconds}", "--dump-dom", new Uri(Path.GetFullPath(html)).AbsoluteUri);
}
