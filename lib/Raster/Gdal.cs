using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace CnnSentinel.Raster;

/// <summary>
/// Finds and initialises the system GDAL library once per process; every raster type calls
/// <see cref="EnsureLoaded"/> before touching GDAL.
/// </summary>
/// <remarks>
/// Debian 12 ships GDAL 3.6 as <c>libgdal.so.32</c>; newer distributions bump the number, so the
/// known sonames are tried in order. GDAL's own error printing is silenced: failures are reported
/// through <see cref="GdalException"/>, with GDAL's last message and the file concerned. GDAL's block cache is
/// capped at <see cref="DefaultCacheBytes"/> unless the environment variable GDAL_CACHEMAX says otherwise (GDAL's
/// own default, 5 % of RAM, would make a streaming classification's memory depend on the machine).
/// </remarks>
internal static class Gdal
{
    /// <summary>Shared library names tried, newest Debian/Ubuntu first after Debian 12's.</summary>
    public static readonly IReadOnlyList<string> LibraryNames =
        ["libgdal.so.32", "libgdal.so.33", "libgdal.so.34", "libgdal.so.35", "libgdal.so.36", "libgdal.so.37", "libgdal.so.38", "libgdal.so"];

    /// <summary>GDAL's block cache size when GDAL_CACHEMAX is not set: 256 MiB.</summary>
    public const long DefaultCacheBytes = 256L << 20;

    static readonly Lock Gate = new();
    static IntPtr _handle;

    /// <summary>GDAL's release name, e.g. "3.6.2".</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Marshal.PtrToStringUTF8(GdalNative.GDALVersionInfo("RELEASE_NAME")) ?? "?";
        }
    }

    /// <summary>Loads libgdal and registers its drivers; idempotent and thread-safe.</summary>
    /// <exception cref="GdalException">No GDAL library was found; the message says which names were tried and what to install.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero) return;
            IntPtr handle = IntPtr.Zero;
            var loaded = LibraryNames.FirstOrDefault(name => NativeLibrary.TryLoad(name, out handle));
            if (loaded is null)
                throw new GdalException(
                    $"The GDAL library was not found (tried {string.Join(", ", LibraryNames)}). " +
                    "Install it: on Debian/Ubuntu `sudo apt-get install libgdal32 gdal-bin` (scripts/setup.sh does this).");
            var context = AssemblyLoadContext.GetLoadContext(typeof(Gdal).Assembly) ?? AssemblyLoadContext.Default;
            context.ResolvingUnmanagedDll += (Assembly _, string name) => name == GdalNative.Library ? handle : IntPtr.Zero;
            GdalNative.GDALAllRegister();
            if (!EnvironmentSettings.GdalCacheMaxIsSet) GdalNative.GDALSetCacheMax64(DefaultCacheBytes);
            GdalNative.CPLSetErrorHandler(NativeLibrary.GetExport(handle, "CPLQuietErrorHandler"));
            _handle = handle;
        }
    }

    /// <summary>GDAL's last error message on this thread, or "no message".</summary>
    internal static string LastError()
    {
        var message = Marshal.PtrToStringUTF8(GdalNative.CPLGetLastErrorMsg());
        return string.IsNullOrWhiteSpace(message) ? "GDAL gave no message" : message.Trim();
    }

    /// <summary>
    /// Throws a <see cref="GdalException"/> naming <paramref name="file"/> when GDAL recorded an error on this thread since the last
    /// <c>CPLErrorReset</c>: for calls that report failure only that way (in GDAL before 3.7, <c>GDALClose</c> and
    /// <c>GDALFlushCache</c>, which write a file's last blocks and directory, return nothing).
    /// </summary>
    internal static void CheckNoError(string what, string file)
    {
        if (GdalNative.CPLGetLastErrorType() >= GdalNative.CE_Failure) throw new GdalException($"{file}: {what} failed: {LastError()}");
    }

    /// <summary>Throws a <see cref="GdalException"/> naming <paramref name="file"/> when a CPLErr is not CE_None.</summary>
    internal static void Check(int cplErr, string what, string file)
    {
        if (cplErr != GdalNative.CE_None) throw new GdalException($"{file}: {what} failed: {LastError()}");
    }
}
