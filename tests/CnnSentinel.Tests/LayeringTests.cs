using System.Text.RegularExpressions;
using CnnSentinel.Models;

namespace CnnSentinel.Tests;

/// <summary>
/// The library's namespaces form layers (issue 15): none uses another that uses it back, and each uses only those below
/// it in the order README.md's Layout section gives. Read from the compiled library, so a new reference shows up here.
/// </summary>
public sealed partial class LayeringTests
{
    const string Root = "CnnSentinel";

    static NamespaceGraph Graph { get; } = NamespaceGraph.Read(typeof(ImageClassifier).Assembly.Location, Root);

    [Fact]
    public void NoNamespaceDependsOnItselfThroughOthers()
    {
        var cycle = Graph.FindCycle();
        Assert.True(cycle is null, $"namespace cycle: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void EveryNamespaceUsesOnlyTheLayersBelowIt()
    {
        var layers = DocumentedLayers();
        Assert.Equal(Graph.Uses.Keys.Order(StringComparer.Ordinal), layers.Order(StringComparer.Ordinal));
        var upward = Graph.Uses.SelectMany(kv => kv.Value.Select(used => (From: kv.Key, To: used)))
            .Where(edge => layers.IndexOf(edge.To) > layers.IndexOf(edge.From))
            .Select(edge => $"{edge.From} uses {edge.To}").Order(StringComparer.Ordinal).ToList();
        Assert.True(upward.Count == 0, $"against README.md's layers ({string.Join(" → ", layers)}): {string.Join("; ", upward)}");
    }

    [Fact]
    public void TheGraphHoldsTheLibrarysReferences()
    {
        // Known uses: the trainer calls ComputeDevice, a PatchLoader is made from an EuroSatDataset, the evaluator takes TrainingBatches;
        // and one that moved away: the loaders no longer implement an interface of the training namespace.
        Assert.Contains($"{Root}.Runtime", Graph.Uses[$"{Root}.Training"]);
        Assert.Contains($"{Root}.Datasets", Graph.Uses[$"{Root}.Loading"]);
        Assert.Contains($"{Root}.Loading", Graph.Uses[$"{Root}.Evaluation"]);
        Assert.DoesNotContain($"{Root}.Training", Graph.Uses[$"{Root}.Loading"]);
    }

    /// <summary>The layers, lowest first, from README.md's line <c>Layers, lowest first: `IO` → `Runtime` → …</c>.</summary>
    static List<string> DocumentedLayers()
    {
        var readme = File.ReadAllLines(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var line = readme.Single(l => l.StartsWith("Layers, lowest first", StringComparison.Ordinal));
        return Quoted().Matches(line).Select(m => m.Groups[1].Value).Select(name => name == Root ? Root : $"{Root}.{name}").ToList();
    }

    [GeneratedRegex("`([A-Za-z.]+)`")]
    private static partial Regex Quoted();
}
