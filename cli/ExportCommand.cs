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
        var command = new Command("export", "Export a saved model as ONNX (class names, bands and normalisation in its metadata) with the offline map web page.")
        {
            model, output, noPage,
        };
        command.SetAction(parse => CommandErrors.Run("export", () =>
        {
            TorchRuntime.EnsureLoaded();
            var (network, description) = ModelFile.Load(parse.GetValue(model)!.FullName);
            using var _ = network;
            var folder = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(folder);
            var metadata = ExportMetadata.For(description);
            if (parse.GetValue(noPage))
            {
                var path = Path.Combine(folder, "model.onnx");
                OnnxExport.Save(network, path, metadata);
                Console.WriteLine($"export: {path}");
            }
            else
                Console.WriteLine($"export: {MapPage.Write(Path.Combine(ProjectPaths.Root, "web"), folder, network, metadata)} (serve the folder, e.g. python3 -m http.server --bind 127.0.0.1 --directory {folder})");
            return 0;
        }));
        return command;
    }
}
