using CnnSentinel.Runtime;

namespace CnnSentinel.Tests.Runtime;

public class ElfSymbolVersionsTests
{
    static string TorchSharpNative => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void ReadsTheLibStdCxxVersionsTorchSharpRequires()
    {
        var versions = ElfSymbolVersions.Read(TorchSharpNative);
        var fromLibStdCxx = versions.Requirements.Where(r => r.Library == "libstdc++.so.6").Select(r => r.Version).ToList();
        Assert.Contains("GLIBCXX_3.4.32", fromLibStdCxx); // the version Debian 12's libstdc++ lacks
        Assert.Contains("CXXABI_1.3", fromLibStdCxx);
        Assert.All(versions.Requirements, r => Assert.False(r.IsWeak));
    }

    [Fact]
    public void MarkingWeakChangesOnlyThatRequirementsFlags()
    {
        var original = File.ReadAllBytes(TorchSharpNative);
        var versions = ElfSymbolVersions.Read(TorchSharpNative);
        var patched = versions.MarkRequirementsWeak(["GLIBCXX_3.4.32"]);

        var target = versions.Requirements.Single(r => r.Version == "GLIBCXX_3.4.32");
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([(int)target.FlagsOffset], changed); // the flag's low byte: 0 → 2
        Assert.Equal(ElfSymbolVersions.WeakFlag, patched[target.FlagsOffset]);

        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "patched.so");
        File.WriteAllBytes(path, patched);
        var reread = ElfSymbolVersions.Read(path).Requirements;
        Assert.True(reread.Single(r => r.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(reread.Where(r => r.Version != "GLIBCXX_3.4.32"), r => Assert.False(r.IsWeak));
    }

    [Fact]
    public void ReadsTheVersionsALibraryDefines()
    {
        var libstdcxx = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6" }.First(File.Exists);
        var definitions = ElfSymbolVersions.Read(libstdcxx).Definitions;
        Assert.Contains("GLIBCXX_3.4", definitions);
        Assert.Contains("CXXABI_1.3", definitions);
        Assert.DoesNotContain("GLIBCXX_9.9.9", definitions);
    }

    [Fact]
    public void RejectsAFileThatIsNotElfNamingIt()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "not-a-library.so");
        File.WriteAllText(path, "this is text, not a shared library");
        var error = Assert.Throws<InvalidDataException>(() => ElfSymbolVersions.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not an ELF file", error.Message);
    }

    [Fact]
    public void RejectsATruncatedLibraryNamingIt()
    {
        var path = Path.Combine(TestEnvironment.NewTempDirectory(), "truncated.so");
        File.WriteAllBytes(path, File.ReadAllBytes(TorchSharpNative).AsSpan(0, 4096).ToArray());
        var error = Assert.Throws<InvalidDataException>(() => ElfSymbolVersions.Read(path));
        Assert.Contains(path, error.Message);
    }
}
