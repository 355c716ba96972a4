// Runs a TF.js LayersModel written by CnnSentinel (lib/Export/TfjsExport.cs) in Node with @tensorflow/tfjs, for
// tests/CnnSentinel.Tests/Export/TfjsExportTests.cs. Arguments: the model folder and a JSON file
// { "shape": [N, H, W, C], "data": [...] } (channels last). Prints the output probabilities as a flat JSON array.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";

const [folder, inputPath] = process.argv.slice(2);
const artifacts = JSON.parse(readFileSync(join(folder, "model.json"), "utf8"));
const [manifest] = artifacts.weightsManifest;
const shard = readFileSync(join(folder, manifest.paths[0]));
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: artifacts.modelTopology,
  weightSpecs: manifest.weights,
  weightData: shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength),
}));
const input = JSON.parse(readFileSync(inputPath, "utf8"));
const output = model.predict(tf.tensor(input.data, input.shape, "float32"));
process.stdout.write(JSON.stringify(Array.from(await output.data())));
