using System.CommandLine;
using CnnSentinel.Runtime;
using TorchSharp;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel doctor</c>: checks that the native torch runtime loads and computes.</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the environment: load libtorch (patching it where the system libstdc++ is too old) and run a tensor operation.");
        command.SetAction(_ =>
        {
            try
            {
                var report = TorchRuntime.EnsureLoaded();
                Console.WriteLine($"torch runtime: {report}");
                using var x = torch.arange(1, 5, dtype: torch.float32);
                var sum = x.sum().item<float>();
                if (sum != 10f) throw new InvalidOperationException($"1+2+3+4 gave {sum}");
                Console.WriteLine($"torch compute: ok ({torch.get_num_threads()} threads)");
                Console.WriteLine($"cache: {CacheDirectory.Root}");
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"doctor: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
