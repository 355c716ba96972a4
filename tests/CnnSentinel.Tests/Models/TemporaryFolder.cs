namespace CnnSentinel.Tests.Models;

/// <summary>A folder shared by the tests of one class and deleted after them: model files are tens of MB.</summary>
public sealed class TemporaryFolder : IDisposable
{
    /// <summary>The folder.</summary>
    public string Root { get; } = TestEnvironment.NewTempDirectory("models");

    /// <summary>A path in the folder that no other test uses, ending in <paramref name="fileName"/>.</summary>
    public string NewPath(string fileName) => Path.Combine(Root, $"{Guid.NewGuid():N}-{fileName}");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
