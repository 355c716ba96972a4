using System.CommandLine;
using CnnSentinel.Bench;

var root = new RootCommand("CnnSentinel benchmarks.")
{
    LoaderBenchmark.Create(),
};
return root.Parse(args).Invoke();
