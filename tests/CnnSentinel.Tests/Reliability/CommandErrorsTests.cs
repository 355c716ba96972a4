using CnnSentinel.Cli;
using CnnSentinel.Raster;

namespace CnnSentinel.Tests.Reliability;

/// <summary>
/// Bad input ends a command with one line and exit code 1; a programming error keeps its stack trace (issue 14): user errors
/// are their own exception type, so the command line no longer swallows every <see cref="ArgumentException"/>.
/// </summary>
public sealed class CommandErrorsTests
{
    public static TheoryData<Exception> BadInput => new()
    {
        new UserErrorException("--threads 0: give 1 to 8"),
        new FileNotFoundException("scene.tif: no such file or folder."),
        new InvalidDataException("model.safetensors: the model description is empty."),
        new UnauthorizedAccessException("out: permission denied"),
        new GdalException("scene.tif: not a raster"),
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void BadInputIsOneLineAndExitCodeOne(Exception error)
    {
        var stderr = new StringWriter();
        var saved = Console.Error;
        Console.SetError(stderr);
        try
        {
            Assert.Equal(1, CommandErrors.Run("classify", () => throw error));
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Equal($"classify: {error.Message}{Environment.NewLine}", stderr.ToString());
    }

    [Fact]
    public void ProgrammingErrorsAreNotSwallowed()
    {
        Assert.Throws<ArgumentException>(() => CommandErrors.Run("train", () => throw new ArgumentException("a bug")));
        Assert.Throws<InvalidOperationException>(() => CommandErrors.Run("train", () => throw new InvalidOperationException("a bug")));
        Assert.Throws<NullReferenceException>(() => CommandErrors.Run("train", () => throw new NullReferenceException()));
    }

    /// <summary>User errors that the library finds (not the command's own option checks), through the real command line.</summary>
    [Theory]
    [InlineData("Unknown recipe 'quick'", "train", "--recipe", "quick")]
    [InlineData("Unknown architecture 'nosuchnet'", "train", "--model", "nosuchnet", "--epochs", "1", "--steps", "1")]
    [InlineData("Unknown optimiser 'rmsprop'", "train", "--model", "smallcnn", "--optimizer", "rmsprop", "--epochs", "1", "--steps", "1")]
    [InlineData("a spatial split needs georeferenced GeoTIFF patches", "split", "{rgb}", "--to", "{out}/split.csv", "--spatial-block", "1000")]
    public void LibraryUserErrorsReachTheUserAsOneLine(string expected, params string[] arguments)
    {
        var output = TestEnvironment.NewTempDirectory();
        var rgb = Path.Combine(TestEnvironment.RepositoryRoot, "data", "eurosat-rgb");
        string[] args = [ExternalTools.Cli, .. arguments.Select(a => a.Replace("{rgb}", rgb).Replace("{out}", output))];
        if (arguments[0] == "train") args = [.. args, "--data", rgb, "--out", output];
        var (code, _, stderr) = ExternalTools.Capture("dotnet", args);
        Assert.True(code == 1, $"exit code {code}: {stderr}");
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith($"{arguments[0]}: ", stderr);
    }
}
