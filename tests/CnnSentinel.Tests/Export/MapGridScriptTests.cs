namespace CnnSentinel.Tests.Export;

/// <summary>
/// The map page's geometry (web/map-grid.js: cell centres, reflection, interpolation weights, the uncertain value, the
/// cloud masks) and its reading of images (web/scene-reading.js: product, units, cloud test, declared sizes) against
/// hand-worked values, by their node tests (web/test/*.test.mjs; no npm package needed, only node).
/// </summary>
public class MapGridScriptTests
{
    [Fact]
    public void TheNodeTestPasses()
    {
        var web = Path.Combine(TestEnvironment.RepositoryRoot, "web");
        var (code, stdout, stderr) = ExternalTools.Capture("node",
            ["--test", Path.Combine(web, "test", "map-grid.test.mjs"), Path.Combine(web, "test", "scene-reading.test.mjs")]);
        Assert.True(code == 0, $"node --test failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("# pass 10", stdout);
    }
}
