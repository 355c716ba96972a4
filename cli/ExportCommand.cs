using System.CommandLine;
using CnnSentinel.Datasets;
using CnnSentinel.Export;
using CnnSentinel.Models;
using CnnSentinel.Runtime;

namespace CnnSentinel.Cli;

/// <summary><c>cnnsentinel export</c>: a saved model as ONNX, with the static map web page beside it.</summary>
static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model")
        {
            Description = "A model file written by train (.safetensors with its description); the shipped RGB model by default.",
            DefaultValueFactory = _ => new FileInfo(ProjectPaths.ShippedRgbModel),
        };
        var output = new Option<DirectoryInfo>("--to") { Description = "Folder to write model.onnx (and the map page) into.", Required = true };
        var noPage = new Option<bool>("--no-page") { Description = "Write model.onnx only, without the map web page." };
        var weights = new Option<OnnxWeights?>("--weights")
        {
            Description = "How model.onnx stores the layer weights: int8 (a quarter the size, probabilities slightly off; the default with the page, " +
                          "which a browser downloads) or float32 (the network's own probabilities; the default with --no-page).",
        };
        var activations = new Option<string?>("--activations")
        {
            Description = "What the convolutions read: uint8 (computed in integers, more than twice as fast in a browser; needs int8 weights, " +
                          "the default with them) or float32.",
        }.AcceptOnlyFromAmong("uint8", "float32");
        var calibration = new Option<DirectoryInfo?>("--calibration")
        {
            Description = $"EuroSAT folder whose patches ({OnnxExport.CalibrationCount}, over all classes) choose the uint8 scales; " +
                          "the bundled sample of the model's bands (data/eurosat-rgb or data/eurosat-ms) by default.",
        };
        var command = new Command("export", "Export a saved model as ONNX (class names, bands and normalisation in its metadata) with the offline map web page.")
        {
            model, output, noPage, weights, activations, calibration,
        };
        command.SetAction(parse => CommandErrors.Run("export", () =>
        {
            TorchRuntime.EnsureLoaded();
            var (network, description) = ModelFile.Load(parse.GetValue(model)!.FullName);
            using var _ = network;
            var folder = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(folder);
            var metadata = ExportMetadata.For(description);
            var withPage = !parse.GetValue(noPage);
            var stored = parse.GetValue(weights) ?? (withPage ? OnnxWeights.Int8 : OnnxWeights.Float32);
            var uint8 = (parse.GetValue(activations) ?? (stored == OnnxWeights.Int8 ? "uint8" : "float32")) == "uint8";
            if (uint8 && stored != OnnxWeights.Int8) throw new UserErrorException("--activations uint8 needs --weights int8 (ONNX Runtime's integer convolutions read int8 weights).");
            string? calibrated = null;
            using var windows = uint8 ? CalibrationWindows(parse.GetValue(calibration)?.FullName, network.Bands, metadata, out calibrated) : null;
            var onnx = Path.Combine(folder, "model.onnx");
            string? page = null;
            if (withPage) page = MapPage.Write(Path.Combine(ProjectPaths.Root, "web"), folder, network, metadata, stored, windows);
            else OnnxExport.Save(network, onnx, metadata, stored, windows);
            var computed = uint8 ? $", uint8 activations calibrated on {calibrated}" : "";
            var written = $"{onnx} ({stored.ToString().ToLowerInvariant()} weights{computed}, {new FileInfo(onnx).Length / 1e6:0.0} MB)";
            Console.WriteLine(page is null ? $"export: {written}" : $"export: {page} with {written}; serve it: cnnsentinel serve {folder}");
            return 0;
        }));
        return command;
    }

    /// <summary>The calibration windows from <paramref name="folder"/>, or from the bundled sample of the model's bands; says which in <paramref name="described"/>.</summary>
    static TorchSharp.torch.Tensor CalibrationWindows(string? folder, int bands, ExportMetadata metadata, out string described)
    {
        folder ??= ProjectPaths.BundledPatches(bands);
        var dataset = EuroSatDataset.Open(folder);
        if (dataset.BandCount != bands) throw new UserErrorException($"--calibration {folder} holds {dataset.BandCount}-band patches; the model reads {bands} bands.");
        var windows = OnnxExport.CalibrationWindows(dataset, metadata);
        described = $"{windows.shape[0]} patches of {Path.GetRelativePath(Environment.CurrentDirectory, folder)}";
        return windows;
    }
}
