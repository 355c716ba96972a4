namespace CnnSentinel.Tests.Export;

/// <summary>
/// The map page's geometry (web/map-grid.js: cell centres, reflection, interpolation weights, the uncertain value)
/// against hand-worked values, by its node test (web/test/map-grid.test.mjs; no npm package needed, only node).
/// </summary>
public class MapGridScriptTests
{
    [Fact]
    public void TheNodeTestPasses()
    {
        var web = Path.Combine(TestEnvironment.RepositoryRoot, "web");
        var (code, stdout, stderr) = ExternalTools.Capture("node", ["--test", Path.Combine(web, "test", "map-grid.test.mjs")]);
        Assert.True(code == 0, $"node --test failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("# pass 4", stdout);
    }
}
