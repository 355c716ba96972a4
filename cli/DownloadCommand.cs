using System.CommandLine;
using CnnSentinel.Download;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel download rgb|ms --to DIR</c>: fetches and extracts an official EuroSAT archive.</summary>
static class DownloadCommand
{
    static readonly Argument<string> Which = new Argument<string>("archive") { Description = "rgb (EuroSAT_RGB.zip, ~90 MB) or ms (EuroSAT_MS.zip, 13 bands, ~2 GB)." }.AcceptOnlyFromAmong("rgb", "ms");
    static readonly Option<DirectoryInfo> To = new("--to") { Description = "Folder to extract into (created).", Required = true };
    static readonly Option<string?> Url = new("--url") { Description = "Download from here instead of the default (Zenodo record 7711810)." };
    static readonly Option<string?> Sha = new("--sha256") { Description = "Expected SHA-256 of the archive (64 hex characters), checked instead of the built-in MD5 that Zenodo publishes for the official archive (for another copy or version of it from --url). Without it the published MD5 is checked, also with --url." };
    static readonly Option<bool> Keep = new("--keep-archive") { Description = "Keep the zip after extracting it." };

    public static Command Create()
    {
        var command = new Command("download", "Download an official EuroSAT archive (resumable), check it against its published MD5 and extract it safely.")
        {
            Which, To, Url, Sha, Keep,
        };
        command.SetAction(async (parse, cancellation) => SourceFrom(parse) is { } source ? await RunAsync(source, parse.GetValue(To)!.FullName, parse.GetValue(Keep), cancellation) : 2);
        return command;
    }

    /// <summary>The archive the options name, at <c>--url</c> with <c>--sha256</c> when given; null (said on stderr) when either is malformed.</summary>
    static ArchiveSource? SourceFrom(ParseResult parse)
    {
        var source = parse.GetValue(Which) == "ms" ? ArchiveSource.EuroSatMultispectral : ArchiveSource.EuroSatRgb;
        if (parse.GetValue(Url) is { } other)
        {
            if (!Uri.TryCreate(other, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine($"download: --url must be an absolute http(s) address, not '{other}'");
                return null;
            }
            source = source with { Url = address };
        }
        if (parse.GetValue(Sha) is { } expected && !ArchiveSource.IsSha256(expected))
        {
            Console.Error.WriteLine($"download: --sha256 must be 64 hexadecimal characters, not '{expected}'");
            return null;
        }
        return parse.GetValue(Sha) is { } given ? source with { Sha256 = given, Md5 = null } : source;
    }

    static async Task<int> RunAsync(ArchiveSource source, string folder, bool keepArchive, CancellationToken cancellation)
    {
        Console.WriteLine($"downloading {source.Url} → {folder}");
        try
        {
            var result = await DatasetDownload.RunAsync(source, folder, keepArchive, new ConsoleProgress(), cancellation);
            Console.WriteLine();
            Console.WriteLine(result.AlreadyComplete ? $"already complete (marker {DatasetDownload.MarkerPath(source, folder)})" : "done");
            Console.WriteLine($"SHA-256 {result.Sha256} ({(result.Verified ? $"verified against {source.ChecksumsInWords}" : "NOT verified: no checksum is known")})");
            foreach (var name in result.Extracted) Console.WriteLine($"extracted: {Path.Combine(folder, name)}");
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or IOException or TimeoutException)
        {
            Console.WriteLine();
            Console.Error.WriteLine($"download: {e.Message}");
            return 1;
        }
    }

    /// <summary>Prints progress on one line, at most every half second.</summary>
    sealed class ConsoleProgress : IProgress<DownloadProgress>
    {
        DateTime _last = DateTime.MinValue;

        public void Report(DownloadProgress value)
        {
            if ((DateTime.UtcNow - _last).TotalSeconds < 0.5 && value.Received != value.Total) return;
            _last = DateTime.UtcNow;
            var done = $"{value.Received / 1e6:0.0} MB";
            Console.Write(value.Percent is { } p ? $"\r{done} of {value.Total!.Value / 1e6:0.0} MB ({p:0.0} %)   " : $"\r{done}   ");
        }
    }
}
