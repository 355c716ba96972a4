using Xunit.Abstractions;
using CnnSentinel.Models;

namespace CnnSentinel.Tests;

/// <summary>The library's namespaces form layers: none uses another that uses it back (issue 15).</summary>
public sealed class LayeringTests(ITestOutputHelper output)
{
    static NamespaceGraph Graph { get; } = NamespaceGraph.Read(typeof(ImageClassifier).Assembly.Location);

    [Fact]
    public void Print()
    {
        foreach (var (k, v) in Graph.Uses.OrderBy(kv => kv.Key)) output.WriteLine($"{k} -> {string.Join(", ", v.Order())}");
        output.WriteLine("cycle: " + string.Join(" -> ", Graph.FindCycle() ?? []));
    }
}
