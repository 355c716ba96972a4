using System.CommandLine;
using CnnSentinel.Bench;

var root = new RootCommand("CnnSentinel benchmarks.")
{
    LoaderBenchmark.Create(),
    TrainerBenchmark.Create(),
};
return root.Parse(args).Invoke();
