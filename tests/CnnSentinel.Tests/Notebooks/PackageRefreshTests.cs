namespace CnnSentinel.Tests.Notebooks;

/// <summary>
/// After a pack, notebooks must restore the rebuilt library: the library project's targets forget the copy NuGet
/// extracted and the kernel's cached restores that name the package. Run here against a scratch home and package
/// folder, never the machine's own.
/// </summary>
public class PackageRefreshTests
{
    [Fact]
    public void PackForgetsTheExtractedLibraryAndTheKernelsRestoresOfIt()
    {
        var scratch = TestEnvironment.NewTempDirectory();
        var packages = Path.Combine(scratch, "packages");
        var extracted = Path.Combine(packages, "cnnsentinel.lib", "0.1.0");
        var otherVersion = Path.Combine(packages, "cnnsentinel.lib", "0.0.9");
        var otherPackage = Path.Combine(packages, "plotly.net", "6.0.0");
        foreach (var folder in new[] { extracted, otherVersion, otherPackage })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "marker"), "");
        }
        var cache = Path.Combine(scratch, "home", ".packagemanagement", "nuget", "Cache");
        Directory.CreateDirectory(cache);
        File.WriteAllText(Path.Combine(cache, "a.csx"), $"#r \"{extracted}/lib/net10.0/CnnSentinel.Lib.dll\"");
        File.WriteAllText(Path.Combine(cache, "a.resolvedReferences.paths"), $"CnnSentinel.Lib,0.1.0,{extracted}/,");
        File.WriteAllText(Path.Combine(cache, "b.csx"), $"#r \"{otherPackage}/lib/netstandard2.0/Plotly.NET.dll\"");

        var project = Path.Combine(TestEnvironment.RepositoryRoot, "CnnSentinel.Lib.csproj");
        var (code, stdout, stderr) = ExternalTools.Capture("dotnet",
            ["msbuild", project, "-nologo", "-v:q", "-t:ForgetExtractedPackage;ForgetKernelRestores",
             $"-p:NuGetPackageRoot={packages}/", $"-p:HOME={Path.Combine(scratch, "home")}"]);
        Assert.True(code == 0, stdout + stderr);

        Assert.False(Directory.Exists(extracted));
        Assert.True(Directory.Exists(otherVersion));
        Assert.True(Directory.Exists(otherPackage));
        Assert.Equal(["b.csx"], Directory.GetFiles(cache).Select(Path.GetFileName));
    }
}
