using CnnSentinel.Bench;
using CnnSentinel.Runtime;

// cnnsentinel-bench scene [--naive-size N] [--sizes 1024,2048] [--out DIR]
//   naive vs dense speed and label agreement on a crop of the bundled scene, then peak memory of dense
//   classification (13 bands, outputs written) on synthetic scenes of growing size, each in a child process.
// cnnsentinel-bench scene-memory SIZE DIR [classify-only]   (the child: classify one synthetic scene, print peak
//   memory; classify-only skips writing the maps, to tell the classifier's memory from GDAL's)
TorchRuntime.EnsureLoaded();
return args switch
{
    ["scene", .. var rest] => SceneBenchmark.Run(rest),
    ["scene-memory", var size, var dir] => SceneBenchmark.MeasureMemory(int.Parse(size), dir, write: true),
    ["scene-memory", var size, var dir, "classify-only"] => SceneBenchmark.MeasureMemory(int.Parse(size), dir, write: false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: cnnsentinel-bench scene [--naive-size N] [--sizes 1024,2048] [--out DIR]");
    return 2;
}
