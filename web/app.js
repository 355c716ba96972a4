// The map page: loads an ONNX model exported by CnnSentinel (lib/Export/OnnxExport.cs) — the one next to the page,
// which `cnnsentinel export` and notebook 08 write (the shipped RGB model by default), or one the user picks — and makes
// the land-use map of the image the user opens the way the `classify` command does (map-grid.js): windows at the
// centres of a stride × stride grid, probabilities interpolated between them, uncertain pixels marked; the image read
// as the product its name says and clouds marked by the same test (scene-reading.js).
import { cellAxis, fillWindow, interpolateClasses } from "./map-grid.js";
import { cloudMask, declaredImageSize, detectProduct, toModelUnits, windowCloudShares } from "./scene-reading.js";
import { ModelWorkers } from "./model-workers.js";

// Class colours come with the model (metadata class_colors, from lib/Scenes/ClassLegend.cs); this one marks
// a class a model exported without them cannot name.
const UNKNOWN_COLOUR = [255, 0, 255];
// Windows per model run: small enough that the progress bar moves and a newer run soon takes over.
const WINDOWS_PER_RUN = 16;
// The largest image the page reads (25 Mpx, 5000 × 5000): its planes, the map and the canvases take about 50 bytes a
// pixel, and mapping it takes tens of minutes. `cnnsentinel classify` streams any size.
const MAX_PIXELS = 25_000_000;

const address = new URLSearchParams(location.search);
// Where the model runs: on the GPU through WebGPU where the browser offers a hardware adapter, else on the CPU through
// WebAssembly. A software adapter (Chromium's SwiftShader, which a machine without a GPU may offer) computes on the
// CPU, far slower than WebAssembly, so it is not used unless asked for: an address ending in ?backend=webgpu or
// ?backend=wasm forces one (the tests run the WebGPU path on SwiftShader so).
const gpu = await findGpu(address.get("backend"));
// The runtime with WebGPU is twice the download of the WebAssembly-only one: a page without a GPU never fetches it.
try { await loadScript(gpu.adapter ? "vendor/ort.all.min.js" : "vendor/ort.wasm.min.js"); }
catch (e) { document.getElementById("status").textContent = ""; document.getElementById("error").textContent = e.message; throw e; }
// Absolute URLs: the runtime's loader imports them as modules, in the page and in its workers.
const VENDOR = new URL("vendor/", location.href).href;
ort.env.wasm.wasmPaths = VENDOR;
// On WebAssembly the model runs in workers, one thread each (model-workers.js): one per core, four at most; any static
// file server will do. An address ending in ?threads=N asks for N (a benchmark compares thread counts so).
const THREADS = Number(address.get("threads")) || Math.min(4, navigator.hardwareConcurrency || 1);
const WASM = `WebAssembly, ${THREADS} thread${THREADS > 1 ? "s" : ""}`;
if (gpu.adapter) ort.env.webgpu.adapter = gpu.adapter;
let backend = WASM; // what the current model runs on, as the status line names it

// The GPU adapter to run on ({ adapter, name }), or { adapter: null, why } saying why the page runs on WebAssembly.
async function findGpu(asked) {
  if (asked === "wasm") return { adapter: null, why: "WebAssembly asked for (?backend=wasm)" };
  if (!navigator.gpu) return { adapter: null, why: "this browser offers no WebGPU" };
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  if (!adapter) return { adapter: null, why: "no WebGPU adapter" };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "unnamed adapter";
  if (info.isFallbackAdapter && asked !== "webgpu") return { adapter: null, why: `WebGPU offers only a software adapter (${name})` };
  return { adapter, name: info.isFallbackAdapter ? `${name}, a software adapter` : name };
}

function loadScript(source) {
  return new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement("script"), { src: source });
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${source}: run 'scripts/setup.sh web' to vendor the page's libraries`));
    document.head.append(script);
  });
}

// Where the model runs: { run(input, dims) → its output, lanes (batches worth having in flight at once), stop() }.
// On the GPU where there is one (operators WebGPU lacks run on the CPU within it), else in WebAssembly workers.
// WebGPU alone is asked for: given a list, ONNX Runtime would skip a WebGPU that fails to start without a word. Should
// it fail with this model, the page says so and runs on WebAssembly: never silently slower. A model that computes in
// 8 bits stays on WebAssembly: ONNX Runtime's WebGPU build mapped it wrong in the page's test (SwiftShader: no
// label in common with WebAssembly's map), and its integer convolutions are what makes it fast on the CPU.
async function startModel(bytes, quantised) {
  if (gpu.adapter && quantised) backend = `${WASM}; WebGPU left alone: this model computes in 8 bits (export it with --activations float32 for the GPU)`;
  else if (gpu.adapter) {
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions("webgpu", false));
      backend = `WebGPU (${gpu.name})`;
      const run = async (input, dims) => {
        const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", input, dims) };
        return (await session.run(feeds))[session.outputNames[0]].data;
      };
      return { run, lanes: 1, stop: () => session.release() };
    } catch (e) {
      backend = `${WASM}; WebGPU failed with this model: ${e.message ?? e}`;
    }
  } else backend = `${WASM}; ${gpu.why}`;
  const workers = await ModelWorkers.start(bytes, sessionOptions("wasm", quantised), THREADS, `${VENDOR}ort.wasm.min.js`, VENDOR);
  return { run: (input, dims) => workers.run(input, dims), lanes: THREADS, stop: () => workers.stop() };
}

// An int8 model's weights reach the convolutions through DequantizeLinear nodes. Where the values the convolutions
// read are quantised too (the export's "activations": "uint8"), ONNX Runtime fuses each DequantizeLinear → Conv →
// QuantizeLinear into one integer convolution, far faster on WebAssembly. Where they are not, it would keep
// those nodes for a fusion that never comes and dequantise every weight again for each batch; with that fusion off, it
// folds them into float32 weights once, as the session loads.
function sessionOptions(provider, quantised) {
  return quantised ? { executionProviders: [provider] } : { executionProviders: [provider], extra: { session: { disable_quant_qdq: "1" } } };
}

const $ = (id) => document.getElementById(id);
let model = null;   // { runner (startModel's), classNames, bandNames, bands, mean, std, size, classColours, masks, uncertain and cloud: { value, name, color },
                    //   radiometry: per product, cloudTest (with rgb: the inputs that are red, green and blue) }
let image = null;   // { name, width, height, bands, pixels: Float32Array[] (one plane per band), eightBit }
let map = null;     // { stride, columns, rows (cellAxis of each), cells: probabilities per cell, product, clouds (interpolateClasses'), classes: Uint8Array per pixel, threshold }
let runs = 0;       // classifications started: a run that is no longer the latest stops

function setStatus(text) { $("status").textContent = text; }
function showError(text) { $("error").textContent = text; setStatus(""); }

// metadata_props of an ONNX ModelProto (field 14: key 1, value 2), read from the protobuf wire format:
// onnxruntime-web does not expose them.
function onnxMetadata(bytes) {
  const properties = {};
  const readVarint = (state) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[state.at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  const fields = (start, end, visit) => {
    const state = { at: start };
    while (state.at < end) {
      const tag = readVarint(state), field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) readVarint(state);
      else if (wire === 1) state.at += 8;
      else if (wire === 5) state.at += 4;
      else if (wire === 2) { const length = readVarint(state); visit(field, state.at, state.at + length); state.at += length; }
      else throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  };
  const text = (start, end) => new TextDecoder().decode(bytes.subarray(start, end));
  fields(0, bytes.length, (field, start, end) => {
    if (field !== 14) return;
    let key = "", value = "";
    fields(start, end, (f, s, e) => { if (f === 1) key = text(s, e); if (f === 2) value = text(s, e); });
    properties[key] = value;
  });
  return properties;
}

async function loadModel(bytes, name) {
  try {
    const properties = onnxMetadata(bytes);
    for (const key of ["class_names", "band_names", "mean", "std", "input_size"])
      if (!(key in properties)) throw new Error(`${name} lacks the metadata '${key}'; export it with CnnSentinel's OnnxExport.`);
    const runner = await startModel(bytes, properties.activations === "uint8");
    model?.runner.stop();
    model = {
      runner, classNames: JSON.parse(properties.class_names), bandNames: JSON.parse(properties.band_names),
      mean: JSON.parse(properties.mean), std: JSON.parse(properties.std), size: Number(properties.input_size),
      classColours: "class_colors" in properties ? JSON.parse(properties.class_colors) : [],
    };
    // The mask for low confidence (metadata masks, from ClassLegend.Masks); a model exported without it gets no threshold.
    model.masks = "masks" in properties ? JSON.parse(properties.masks) : [];
    model.uncertain = model.masks.find((mask) => mask.name === "Uncertain");
    $("threshold").disabled = !model.uncertain;
    model.bands = model.bandNames.length;
    // How classify reads each product and its cloud test (ExportMetadata); a model exported before them gets neither.
    model.radiometry = "radiometry" in properties ? JSON.parse(properties.radiometry) : null;
    model.cloudTest = "cloud_test" in properties ? JSON.parse(properties.cloud_test) : null;
    model.cloud = model.masks.find((mask) => mask.name === "Cloud");
    drawLegend();
    // How the layer weights are stored and what the convolutions read (OnnxExport's "weights" and "activations": int8
    // and uint8 are the light, fast file the export writes for this page).
    const weights = ("weights" in properties ? `${properties.weights} weights, ` : "") +
      ("activations" in properties ? `${properties.activations} activations, ` : "");
    setStatus(`Model ${name}: ${model.bands} bands (${model.bandNames.join(", ")}), ${model.classNames.length} classes, ${model.size} × ${model.size} windows; ` +
      `${weights}${(bytes.length / 1e6).toFixed(1)} MB; runs on ${backend}.`);
    $("error").textContent = "";
    if (image) await classify();
  } catch (e) {
    model = null;
    showError(`Cannot use the model ${name}: ${e.message ?? e}`);
  }
}

// Whether the bytes begin as a TIFF or BigTIFF does ("II" or "MM", then 42 or 43 in that byte order).
function isTiff(bytes) {
  if (bytes.length < 4) return false;
  const little = bytes[0] === 0x49 && bytes[1] === 0x49, big = bytes[0] === 0x4d && bytes[1] === 0x4d;
  const version = little ? bytes[2] | (bytes[3] << 8) : big ? (bytes[2] << 8) | bytes[3] : 0;
  return version === 42 || version === 43;
}

// Refuses an image larger than MAX_PIXELS from what its header declares, before it is decoded.
function refuseIfTooLarge(file, size) {
  if (!size || size.width * size.height <= MAX_PIXELS) return;
  const megapixels = (size.width * size.height / 1e6).toFixed(0);
  throw new Error(`${file.name} is ${size.width} × ${size.height} pixels (${megapixels} Mpx); this page maps images up to ` +
    `${MAX_PIXELS / 1e6} Mpx. Crop it (e.g. gdal_translate -srcwin), or map it with the cnnsentinel classify command, which reads any size.`);
}

async function readImage(file) {
  const name = file.name.toLowerCase();
  const head = new Uint8Array(await file.slice(0, 512 * 1024).arrayBuffer());
  // A file named .tif that is not a TIFF (a JPEG renamed, a text file) is read by its content, not by its name.
  if ((name.endsWith(".tif") || name.endsWith(".tiff")) && isTiff(head)) {
    const tiff = await GeoTIFF.fromBlob(file); // reads the header and then only the parts asked for
    const raster = await tiff.getImage();
    refuseIfTooLarge(file, { width: raster.getWidth(), height: raster.getHeight() });
    const planes = await raster.readRasters();
    return { name: file.name, width: raster.getWidth(), height: raster.getHeight(), bands: planes.length,
      pixels: Array.from(planes, (plane) => Float32Array.from(plane)), eightBit: planes[0] instanceof Uint8Array };
  }
  refuseIfTooLarge(file, declaredImageSize(head));
  let bitmap;
  try { bitmap = await createImageBitmap(file); }
  catch {
    const named = name.endsWith(".tif") || name.endsWith(".tiff") ? " It is named like a TIFF but is not one." : "";
    throw new Error(`${file.name} is not an image this page can read (PNG, JPEG or GeoTIFF).${named}`);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const pixels = [0, 1, 2].map((band) => {
    const plane = new Float32Array(bitmap.width * bitmap.height);
    for (let i = 0; i < plane.length; i++) plane[i] = rgba[4 * i + band];
    return plane;
  });
  return { name: file.name, width: bitmap.width, height: bitmap.height, bands: 3, pixels, eightBit: true };
}

// Images narrower than this are drawn enlarged by a whole factor (a 64 px EuroSAT patch four times), pixels kept square.
const ENLARGE_BELOW = 256;

// Shows the image: RGB as is, a GeoTIFF's first three bands stretched to 0…255.
function drawImage() {
  const canvas = $("image");
  canvas.width = image.width; canvas.height = image.height;
  const zoom = Math.max(1, Math.floor(ENLARGE_BELOW / Math.max(image.width, image.height)));
  canvas.style.width = zoom > 1 ? `${image.width * zoom}px` : "";
  const context = canvas.getContext("2d");
  const data = context.createImageData(image.width, image.height);
  const shown = [0, 1, 2].map((b) => image.pixels[Math.min(b, image.bands - 1)]);
  const maximum = image.eightBit ? 255 : Math.max(...shown.map((p) => p.reduce((m, v) => Math.max(m, v), 1)));
  for (let i = 0; i < image.width * image.height; i++) {
    for (let b = 0; b < 3; b++) data.data[4 * i + b] = Math.min(255, (shown[b][i] * 255) / maximum);
    data.data[4 * i + 3] = 255;
  }
  context.putImageData(data, 0, 0);
}

// Classifies the image at the chosen stride: windows at the cell centres in batches (the page repaints its progress
// between them), then the map from their probabilities. A newer run (another image, model or stride) stops an older one.
async function classify() {
  const run = ++runs;
  map = null;
  $("answer").hidden = true;
  $("save").disabled = true;
  $("overlay").getContext("2d").clearRect(0, 0, $("overlay").width, $("overlay").height);
  if (!model) { setStatus("Image read; pick a model to classify it."); return; }
  if (image.bands !== model.bands) {
    showError(`The model reads ${model.bands} bands (${model.bandNames.join(", ")}) but the image has ${image.bands}.`);
    return;
  }
  $("error").textContent = "";
  const picture = image; // the image of this run, should another be read meanwhile
  const size = model.size, stride = Number($("stride").value), classCount = model.classNames.length;
  const columns = cellAxis(picture.width, stride), rows = cellAxis(picture.height, stride);
  // The product its name says, converted to the model's units and tested for clouds as classify does.
  const product = detectProduct(picture.name, picture.eightBit);
  const radiometry = model.radiometry?.[product];
  if (model.radiometry && !radiometry) {
    showError(`${picture.name} reads as ${product}, which the model's bands (${model.bandNames.join(", ")}) cannot be converted from.`);
    return;
  }
  const fed = radiometry ? toModelUnits(picture, radiometry) : picture;
  let clouds = null;
  if (radiometry && model.cloudTest && model.cloud) {
    const test = model.cloudTest;
    clouds = {
      mask: cloudMask(picture, test.rgb, radiometry, test), cloudyWindowShare: test.cloudy_window_share,
      spared: test.spared_classes ?? [], sparedAbove: test.spared_above, cloudValue: model.cloud.value,
    };
    clouds.shares = windowCloudShares(clouds.mask, picture.width, picture.height, columns, rows, size);
  }
  const count = columns.centres.length * rows.centres.length, windowLength = model.bands * size * size;
  const cells = new Float32Array(count * classCount);
  const started = performance.now();
  const progress = $("progress");
  progress.max = count;
  progress.value = 0;
  progress.hidden = false;
  // Lanes take the next batch in turn; the page fills one batch's windows while the workers compute others, and
  // repaints its progress while it waits for them.
  const { runner } = model;
  let next = 0, classified = 0;
  const lane = async () => {
    while (next < count && run === runs) {
      const first = next, batch = Math.min(WINDOWS_PER_RUN, count - first);
      next += batch;
      const input = new Float32Array(batch * windowLength);
      for (let w = 0; w < batch; w++) {
        const cell = first + w, column = cell % columns.centres.length, row = Math.floor(cell / columns.centres.length);
        fillWindow(fed, columns.centres[column], rows.centres[row], size, model.mean, model.std, input, w * windowLength);
      }
      let output;
      try { output = await runner.run(input, [batch, model.bands, size, size]); }
      catch (e) { if (run === runs) throw e; return; } // a newer run stopped this one's model
      if (run !== runs) return;
      cells.set(output, first * classCount);
      classified += batch;
      progress.value = classified;
      setStatus(`Classified ${classified} of ${count} windows…`);
    }
  };
  await Promise.all(Array.from({ length: runner.lanes }, lane));
  if (run !== runs) return;
  progress.hidden = true;
  map = { stride, columns, rows, cells, product, clouds };
  drawMap();
  if (picture.width === size && picture.height === size) await answerForPatch(fed, run);
  $("save").disabled = false;
  const unconverted = radiometry && radiometry.gain.every((g) => g === 1) && radiometry.offset.every((o) => o === 0) && radiometry.maximum === null;
  const reading = !radiometry ? "read as it is (the model carries no conversions)"
    : `read as ${product} (from its name)${unconverted ? ", fed unconverted" : ""}`;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  setStatus(`Done: ${count} windows (${columns.centres.length} × ${rows.centres.length}) of ${size} × ${size} pixels every ${stride} pixels ` +
    `in ${seconds} s on ${backend}; ${reading}; clouds by ${clouds ? "the bright-and-white test" : "nothing"}.`);
}

// An image of exactly one window (a EuroSAT patch) is what the model was trained on: its class and probability for the
// whole image, from the one window that covers it exactly.
async function answerForPatch(picture, run) {
  const size = model.size, input = new Float32Array(model.bands * size * size);
  fillWindow(picture, Math.floor(size / 2), Math.floor(size / 2), size, model.mean, model.std, input, 0);
  const probabilities = await model.runner.run(input, [1, model.bands, size, size]);
  if (run !== runs) return;
  let best = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[best]) best = c;
  $("answer").textContent = `${model.classNames[best]} (${probabilities[best].toFixed(2)})`;
  $("answer").title = `The whole ${size} × ${size} image as one window: the class the model gives it, with its probability.`;
  $("answer").hidden = false;
}

function colourOf(value) {
  if (value < model.classNames.length) return model.classColours[value] ?? UNKNOWN_COLOUR;
  return model.masks.find((mask) => mask.value === value)?.color ?? UNKNOWN_COLOUR;
}

// Paints the map from the cells' probabilities at the chosen threshold (changing it needs no model run).
function drawMap() {
  const threshold = model.uncertain ? Number($("threshold").value) : 0;
  map.classes = interpolateClasses(map.cells, model.classNames.length, map.columns, map.rows, threshold, model.uncertain?.value, map.clouds);
  map.threshold = threshold;
  const overlay = $("overlay");
  overlay.width = image.width; overlay.height = image.height;
  overlay.style.opacity = $("opacity").value / 100;
  const context = overlay.getContext("2d");
  const data = context.createImageData(image.width, image.height);
  map.classes.forEach((value, i) => {
    data.data.set(colourOf(value), 4 * i);
    data.data[4 * i + 3] = 255;
  });
  context.putImageData(data, 0, 0);
}

// The classes and the masks the page paints: Uncertain, and Cloud where the model carries the cloud test (the shadow
// and snow masks need a Level-2A product's scene classification, which an image lacks).
function drawLegend() {
  const entries = model.classNames.map((name, value) => [name, colourOf(value)]);
  if (model.uncertain) entries.push([`${model.uncertain.name} (confidence below the threshold, or a window mostly cloud)`, model.uncertain.color]);
  if (model.cloud && model.cloudTest && model.radiometry) entries.push([`${model.cloud.name} (bright and white)`, model.cloud.color]);
  $("legend").replaceChildren(...entries.map(([name, colour]) => {
    const item = document.createElement("span");
    item.style.background = `rgb(${colour.join(", ")})`;
    const label = document.createElement("label");
    label.append(item, name);
    return label;
  }));
}

// The saved PNG is the image with the map over it at the chosen opacity.
function saveMap() {
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage($("image"), 0, 0);
  context.globalAlpha = $("opacity").value / 100;
  context.drawImage($("overlay"), 0, 0);
  const link = document.createElement("a");
  link.download = "land-use-map.png";
  link.href = canvas.toDataURL("image/png");
  link.click();
}

$("model-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (file) await loadModel(new Uint8Array(await file.arrayBuffer()), file.name);
});
$("image-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    setStatus(`Reading ${file.name}…`);
    image = await readImage(file);
    drawImage();
    await classify();
  } catch (e) {
    image = null;
    showError(e.message ?? String(e));
  }
});
$("opacity").addEventListener("input", () => { $("overlay").style.opacity = $("opacity").value / 100; });
$("stride").addEventListener("change", () => { if (image) classify().catch((e) => showError(e.message ?? String(e))); });
$("threshold").addEventListener("change", () => { if (map) drawMap(); });
$("save").addEventListener("click", saveMap);

// The bytes of `url`, showing the download in the progress bar (tens of MB for a ResNet18).
async function download(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const total = Number(response.headers.get("Content-Length")) || 0;
  const parts = [], progress = $("progress");
  let received = 0;
  progress.hidden = false;
  progress.max = total || 1;
  for (const reader = response.body.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.length;
    if (total) progress.value = received;
    setStatus(`Loading ${url}: ${(received / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ""} MB…`);
  }
  progress.hidden = true;
  const bytes = new Uint8Array(received);
  parts.reduce((at, part) => { bytes.set(part, at); return at + part.length; }, 0);
  return bytes;
}

// A model.onnx next to the page (what notebook 08 and `cnnsentinel export` write: the shipped RGB model unless told otherwise) is loaded at start.
download("model.onnx")
  .then((bytes) => loadModel(bytes, "model.onnx"))
  .catch(() => { $("progress").hidden = true; setStatus("No model.onnx next to this page: pick a model."); });

// For tests and scripts: the last map — image size, stride, threshold, the product the image was read as, cell centres, each cell's class probabilities
// (cells row by row) and each pixel's value (pixels row by row) — as plain arrays.
window.landUseMap = () => map && {
  width: image.width, height: image.height, stride: map.stride, threshold: map.threshold, product: map.product,
  centresX: Array.from(map.columns.centres), centresY: Array.from(map.rows.centres),
  cells: Array.from(map.cells), classes: Array.from(map.classes),
};
