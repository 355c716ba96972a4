using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using CnnSentinel.IO;
using TorchSharp;

namespace CnnSentinel.Runtime;

/// <summary>
/// Loads TorchSharp's native runtime (libtorch + libLibTorchSharp) so that it works on Linux
/// distributions whose libstdc++ is older than the one TorchSharp was built against.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107's <c>libLibTorchSharp.so</c> requires the symbol version GLIBCXX_3.4.32
/// (GCC 13) for a single symbol that no relocation uses. Debian 12 and Ubuntu 22.04 ship older
/// libstdc++, so the dynamic loader refuses the library. Where (and only where) the system
/// libstdc++ lacks a required version, this class writes a copy of the library with those version
/// requirements marked weak (VER_FLG_WEAK), which the loader tolerates, and loads that copy before
/// TorchSharp looks for its native library.</para>
/// <para>The copy lives in <see cref="CacheDirectory"/>, is keyed by the original's SHA-256 and is
/// written to a temporary file then renamed, so concurrent first starts are safe and later starts
/// reuse it. Call <see cref="EnsureLoaded"/> before the first <c>torch</c> call; the library does so
/// itself on first use of its own types, the notebook extension at kernel load.</para>
/// </remarks>
public static class TorchRuntime
{
    /// <summary>The libtorch package version this library is built and tested with.</summary>
    public const string PinnedLibTorchVersion = "2.10.0";

    static readonly Lock Gate = new();
    static RuntimeReport? _report;

    /// <summary>What <see cref="EnsureLoaded"/> did.</summary>
    /// <param name="NativeDirectory">Where TorchSharp's native library was found.</param>
    /// <param name="LibTorchDirectory">Where libtorch.so was found.</param>
    /// <param name="MissingVersions">Symbol versions the system libstdc++ lacks (empty: no patch needed).</param>
    /// <param name="PatchedLibrary">The patched copy that was loaded, or null when none was needed.</param>
    public sealed record RuntimeReport(
        string? NativeDirectory,
        string? LibTorchDirectory,
        IReadOnlyList<string> MissingVersions,
        string? PatchedLibrary)
    {
        /// <inheritdoc />
        public override string ToString() => PatchedLibrary is null
            ? $"libtorch loaded from {LibTorchDirectory ?? "TorchSharp's default location"}; no patch needed"
            : $"libtorch loaded from {LibTorchDirectory}; system libstdc++ lacks {string.Join(", ", MissingVersions)}, using patched copy {PatchedLibrary}";
    }

    /// <summary>
    /// Makes TorchSharp usable in this process; idempotent and thread-safe.
    /// </summary>
    /// <exception cref="UserErrorException">libtorch cannot be loaded; the message says what was tried.</exception>
    public static RuntimeReport EnsureLoaded()
    {
        lock (Gate)
        {
            if (_report is not null) return _report;
            var report = OperatingSystem.IsLinux() ? PrepareLinux() : new RuntimeReport(null, null, [], null);
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw new UserErrorException(
                    $"TorchSharp's native runtime could not be loaded ({report}). " +
                    "Check that the packages TorchSharp 0.107.0 and libtorch-cpu-linux-x64 2.10.0 were restored " +
                    $"and that the cache directory ({CacheDirectory.Root}) is writable. Cause: {Innermost(e).Message}", e);
            }
            QuietenNativeWarnings(report.LibTorchDirectory);
            return _report = report;
        }
    }

    // libtorch's own log prints warnings about the machine to stderr (e.g. "Could not initialize NNPACK! Reason: Unsupported
    // hardware." at the first convolution on CPUs without it, where the ordinary kernels are used anyway): noise for a
    // command's user. Its level is a global of libc10; errors still print, and TORCH_CPP_LOG_LEVEL, when set, is respected.
    static void QuietenNativeWarnings(string? libTorchDirectory)
    {
        const int ErrorLevel = 2;
        if (libTorchDirectory is null || Environment.GetEnvironmentVariable("TORCH_CPP_LOG_LEVEL") is not null) return;
        var c10 = Path.Combine(libTorchDirectory, OperatingSystem.IsLinux() ? "libc10.so" : OperatingSystem.IsMacOS() ? "libc10.dylib" : "c10.dll");
        if (NativeLibrary.TryLoad(c10, out var handle) && NativeLibrary.TryGetExport(handle, "FLAGS_caffe2_log_level", out var level))
            Marshal.WriteInt32(level, Math.Max(Marshal.ReadInt32(level), ErrorLevel));
    }

    static RuntimeReport PrepareLinux()
    {
        var torchSharpAssembly = typeof(torch).Assembly;
        var native = FindNativeFile("libLibTorchSharp.so", torchSharpAssembly, "torchsharp");
        var libtorch = FindNativeFile("libtorch.so", torchSharpAssembly, "libtorch-cpu-linux-x64");
        if (native is null || libtorch is null)
            return new RuntimeReport(native is null ? null : Path.GetDirectoryName(native),
                libtorch is null ? null : Path.GetDirectoryName(libtorch), [], null);

        var missing = MissingLibStdCxxVersions(native);
        if (missing.Count == 0)
            return new RuntimeReport(Path.GetDirectoryName(native), Path.GetDirectoryName(libtorch), [], null);

        var patched = PatchedCopy(native, missing);
        NativeLibrary.Load(libtorch);
        var handle = NativeLibrary.Load(patched);
        // TorchSharp resolves "LibTorchSharp" by name; hand it the patched copy should its own probing fail.
        var context = AssemblyLoadContext.GetLoadContext(torchSharpAssembly) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += (assembly, name) =>
            name.Contains("LibTorchSharp", StringComparison.Ordinal) ? handle : IntPtr.Zero;
        return new RuntimeReport(Path.GetDirectoryName(native), Path.GetDirectoryName(libtorch), missing, patched);
    }

    /// <summary>
    /// The versions that <paramref name="library"/> needs from libstdc++.so.6 and that the system's
    /// libstdc++ does not define.
    /// </summary>
    public static IReadOnlyList<string> MissingLibStdCxxVersions(string library)
    {
        var needed = ElfSymbolVersions.Read(library).Requirements
            .Where(r => r.Library == "libstdc++.so.6" && !r.IsWeak)
            .Select(r => r.Version)
            .ToList();
        if (needed.Count == 0) return [];
        var system = SystemLibStdCxx()
            ?? throw new InvalidOperationException("libstdc++.so.6 was not found in this process or the standard library folders.");
        var defined = ElfSymbolVersions.Read(system).Definitions;
        return needed.Where(v => !defined.Contains(v)).Distinct().ToList();
    }

    /// <summary>Writes (once) and returns a copy of <paramref name="library"/> with <paramref name="versions"/> marked weak.</summary>
    /// <param name="library">The original shared library.</param>
    /// <param name="versions">Version requirements to mark weak.</param>
    /// <param name="cacheRoot">Cache root; <see cref="CacheDirectory.Root"/> when null.</param>
    public static string PatchedCopy(string library, IReadOnlyList<string> versions, string? cacheRoot = null)
    {
        var original = File.ReadAllBytes(library);
        var key = Convert.ToHexString(SHA256.HashData(original))[..16].ToLowerInvariant();
        var dir = Path.Combine(cacheRoot ?? CacheDirectory.Root, "native", key);
        var target = Path.Combine(dir, Path.GetFileName(library));
        if (IsPatched(target, versions)) return target;

        var bytes = ElfSymbolVersions.Read(library).MarkRequirementsWeak(versions);
        AtomicFile.WriteAllBytes(target, bytes); // a concurrent starter sees no file or the whole copy
        return target;
    }

    static bool IsPatched(string path, IReadOnlyList<string> versions)
    {
        if (!File.Exists(path)) return false;
        try
        {
            var requirements = ElfSymbolVersions.Read(path).Requirements;
            return versions.All(v => requirements.Any(r => r.Version == v && r.IsWeak));
        }
        catch (InvalidDataException)
        {
            return false; // damaged copy: rewrite it
        }
    }

    static string? SystemLibStdCxx()
    {
        static string? FromMaps() => File.Exists("/proc/self/maps")
            ? File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is var i and >= 0 ? line[i..] : null)
                .FirstOrDefault(p => p is not null && Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal))
            : null;

        var path = FromMaps();
        if (path is null && NativeLibrary.TryLoad("libstdc++.so.6", out _)) path = FromMaps();
        return path;
    }

    /// <summary>
    /// Finds a native file shipped by a NuGet package, whether the app was built (files under the app's
    /// folder or its <c>runtimes/linux-x64/native</c>) or references packages in place (notebook kernel).
    /// </summary>
    static string? FindNativeFile(string fileName, Assembly anchor, string packageId)
    {
        var rid = RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64";
        var candidates = new List<string>();
        foreach (var dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(anchor.Location) })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            candidates.Add(Path.Combine(dir, fileName));
            candidates.Add(Path.Combine(dir, "runtimes", rid, "native", fileName));
        }
        // NuGet layout: <root>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll, <root>/<packageId>/<version>/runtimes/...
        var torchSharpPackage = Path.GetDirectoryName(anchor.Location) is { } lib ? Directory.GetParent(lib)?.Parent : null;
        if (torchSharpPackage?.Parent?.Parent is { } packageRoot)
        {
            var packageDir = Path.Combine(packageRoot.FullName, packageId);
            var versions = packageId == "torchsharp"
                ? [torchSharpPackage.FullName]
                : Directory.Exists(packageDir)
                    ? Directory.GetDirectories(packageDir).OrderBy(d => Path.GetFileName(d) == PinnedLibTorchVersion ? 0 : 1).ToArray()
                    : [];
            candidates.AddRange(versions.Select(d => Path.Combine(d, "runtimes", rid, "native", fileName)));
        }
        return candidates.FirstOrDefault(File.Exists);
    }

    static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
