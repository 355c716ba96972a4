using CnnSentinel.Export;
using CnnSentinel.Models;

namespace CnnSentinel.Tests.Export;

/// <summary><see cref="MapPage.Write"/> puts the page, its libraries and the model in one folder, or says what is missing.</summary>
public class MapPageWriterTests
{
    [Fact]
    public void WritesThePageTheLibrariesAndTheModel()
    {
        var folder = TestEnvironment.NewTempDirectory();
        try
        {
            var source = Path.Combine(folder, "web");
            Directory.CreateDirectory(Path.Combine(source, "vendor"));
            File.WriteAllText(Path.Combine(source, "index.html"), "<html></html>");
            File.WriteAllText(Path.Combine(source, "app.js"), "// app");
            File.WriteAllText(Path.Combine(source, "map-grid.js"), "// map grid");
            File.WriteAllText(Path.Combine(source, "scene-reading.js"), "// scene reading");
            File.WriteAllText(Path.Combine(source, "model-workers.js"), "// model workers");
            File.WriteAllText(Path.Combine(source, "model-worker.js"), "// model worker");
            File.WriteAllText(Path.Combine(source, "vendor", "ort.wasm.min.js"), "// ort");
            using var model = new SceneCnn();
            var destination = Path.Combine(folder, "out");

            var page = MapPage.Write(source, destination, model, ExportMetadata.For(model));

            Assert.Equal(Path.Combine(destination, "index.html"), page);
            Assert.True(File.Exists(Path.Combine(destination, "app.js")));
            Assert.True(File.Exists(Path.Combine(destination, "map-grid.js")));
            Assert.True(File.Exists(Path.Combine(destination, "scene-reading.js")));
            Assert.True(File.Exists(Path.Combine(destination, "model-workers.js")));
            Assert.True(File.Exists(Path.Combine(destination, "model-worker.js")));
            Assert.True(File.Exists(Path.Combine(destination, "vendor", "ort.wasm.min.js")));
            Assert.True(new FileInfo(Path.Combine(destination, "model.onnx")).Length > 100_000);

            Directory.Delete(Path.Combine(source, "vendor"), recursive: true);
            var error = Assert.Throws<FileNotFoundException>(() => MapPage.Write(source, destination, model, ExportMetadata.For(model)));
            Assert.Contains("scripts/setup.sh web", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
