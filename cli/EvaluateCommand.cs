using System.CommandLine;
using CnnSentinel.Datasets;
using CnnSentinel.Evaluation;
using CnnSentinel.Runtime;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel evaluate</c>: a saved model on a labelled EuroSAT-style folder, or on one side of a split manifest.</summary>
static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A model file written by train (.safetensors with its description).", Required = true };
        var data = new Option<DirectoryInfo>("--data") { Description = "Labelled EuroSAT-style folder (one folder per class).", Required = true };
        var split = new Option<FileInfo?>("--split") { Description = "A split manifest (CSV, from split or train); evaluate only one side of it." };
        var side = new Option<SplitSet>("--side") { Description = "With --split: Train or Validation.", DefaultValueFactory = _ => SplitSet.Validation };
        var tta = new Option<bool?>("--tta") { Description = "Average over the 8 flips and quarter turns (default: as the model file's own figures)." };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the report (figures, confusion matrix, every prediction) as JSON." };
        var batch = new Option<int>("--batch") { Description = "Images per forward pass.", DefaultValueFactory = _ => 64 };
        var device = DeviceOption.Create();
        var precision = PrecisionOption.Create();
        var command = new Command("evaluate", "Evaluate a saved model on a labelled folder: per-class precision/recall/F1, confusion matrix, overall accuracy and kappa.")
        {
            model, data, split, side, tta, json, batch, device, precision,
        };
        command.SetAction(parse => CommandErrors.Run("evaluate", () =>
        {
            if (parse.GetValue(batch) < 1) throw new UserErrorException("--batch must be at least 1.");
            TorchRuntime.EnsureLoaded();
            var computeDevice = DeviceOption.Resolve(parse, device);
            var modelPath = parse.GetValue(model)!.FullName;
            var dataset = EuroSatDataset.Open(parse.GetValue(data)!.FullName);
            IReadOnlyList<EuroSatSample>? samples = null;
            if (parse.GetValue(split) is { } manifest)
                samples = SplitManifest.Read(manifest.FullName, dataset).Samples(parse.GetValue(side));
            var computePrecision = PrecisionOption.Resolve(parse, precision, "evaluate");
            if (computePrecision == ComputePrecision.BFloat16) Console.WriteLine("evaluate: in bfloat16");
            var report = ModelEvaluation.Evaluate(modelPath, dataset, samples, parse.GetValue(tta), parse.GetValue(batch), computeDevice, computePrecision);
            if (parse.GetValue(json) is { } output) report.Save(output.FullName);
            Console.WriteLine(report.ToText());
            return 0;
        }));
        return command;
    }
}
