// Copies the browser builds of the page's libraries from node_modules into vendor/, so that the page
// needs neither a bundler nor the network. Run by `scripts/setup.sh web` (after `npm ci`).
import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = [
  // onnxruntime-web: the WebAssembly build (global `ort`), its loader and binary, fetched from vendor/ at run time.
  "onnxruntime-web/dist/ort.wasm.min.js",
  "onnxruntime-web/dist/ort-wasm-simd-threaded.mjs",
  "onnxruntime-web/dist/ort-wasm-simd-threaded.wasm",
  // onnxruntime-web with WebGPU (and WebAssembly, for the operators WebGPU lacks), loaded instead of the build above
  // where the browser offers a GPU: its loader and binary are twice as large, so a page without a GPU never fetches them.
  "onnxruntime-web/dist/ort.all.min.js",
  "onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.mjs",
  "onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm",
  // geotiff: the browser build (global `GeoTIFF`).
  "geotiff/dist-browser/geotiff.js",
];
mkdirSync(join(web, "vendor"), { recursive: true });
for (const file of files) {
  const target = join(web, "vendor", file.split("/").pop());
  // Copy then rename, so that a page served meanwhile never reads half a file.
  copyFileSync(join(web, "node_modules", file), `${target}.tmp`);
  renameSync(`${target}.tmp`, target);
}
console.log(`vendored ${files.length} files into web/vendor/`);
