using System.CommandLine;
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
        var command = new Command("export", "Export a saved model as ONNX (class names, bands and normalisation in its metadata) with the offline map web page.")
        {
            model, output, noPage, weights,
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
            var onnx = Path.Combine(folder, "model.onnx");
            string? page = null;
            if (withPage) page = MapPage.Write(Path.Combine(ProjectPaths.Root, "web"), folder, network, metadata, stored);
            else OnnxExport.Save(network, onnx, metadata, stored);
            var written = $"{onnx} ({stored.ToString().ToLowerInvariant()} weights, {new FileInfo(onnx).Length / 1e6:0.0} MB)";
            Console.WriteLine(page is null ? $"export: {written}" : $"export: {page} with {written}; serve it: cnnsentinel serve {folder}");
            return 0;
        }));
        return command;
    }
}
