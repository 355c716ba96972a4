using System.CommandLine;
using CnnSentinel.Bench;

var root = new RootCommand("CnnSentinel benchmarks: ratios measured side by side in one run.")
{
    LoaderBenchmark.Create(),
    TrainerBenchmark.Create(),
    TimeToAccuracyBenchmark.Create(),
    SceneScaleBenchmark.Create(),
    SceneScaleBenchmark.CreateChild(),
    MapAccuracyBenchmark.Create(),
    RealScenesBenchmark.Create(),
    WebModelBenchmark.Create(),
    PrecisionBenchmark.Create(),
};
return root.Parse(args).Invoke();
