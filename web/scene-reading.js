// How the page reads an image as the `classify` command does (lib/Scenes/SceneRadiometry.cs, CloudTest.cs,
// SceneClassifier.cs): what the pixel values are (the product, from the file name), how they become the model's units,
// which pixels are cloud, and how much of each window is cloud. The numbers (gains, offsets, the cloud test's
// settings) come with the model (metadata `radiometry` and `cloud_test`, lib/Export/ExportMetadata.cs), so the page and
// the library cannot drift apart; only the rules are written here. No DOM: the page imports it and node tests it
// (test/scene-reading.test.mjs).
import { reflect } from "./map-grid.js";

// The level as SceneRadiometry.Detect reads it from a name: MSIL2A/MSIL1C in product names, or L2A/L1C (and TCI) as a
// word of their own (underscores and dots separate words).
const LEVEL_2A = /MSIL2A|(?<![A-Z0-9])L2A(?![A-Z0-9])/i;
const LEVEL_1C = /MSIL1C|(?<![A-Z0-9])L1C(?![A-Z0-9])/i;
const TCI = /(?<![A-Z0-9])TCI(?![A-Z0-9])/i;

// What an image named `fileName` most likely holds (a SceneProduct name): an 8-bit image named as a TCI of a level
// is that TCI, other 8-bit images are EuroSAT-like; other images are band values of the level the name says,
// Level-1C by default. The page sees only the file's name, not the folders above it, nor the product's metadata
// (add-offsets), which `classify` reads.
export function detectProduct(fileName, eightBit) {
  const l2a = LEVEL_2A.test(fileName);
  if (eightBit) return TCI.test(fileName) && (l2a || LEVEL_1C.test(fileName)) ? (l2a ? "TciL2A" : "TciL1C") : "EuroSat";
  return l2a ? "L2A" : "L1C";
}

// The image's planes in the model's units: per band clamp(value · gain + offset, 0, maximum) (maximum null: none).
// Planes whose conversion changes nothing are passed on as they are.
export function toModelUnits(image, radiometry) {
  const pixels = image.pixels.map((plane, b) => {
    const gain = radiometry.gain[b], offset = radiometry.offset[b], maximum = radiometry.maximum ?? Infinity;
    if (gain === 1 && offset === 0 && maximum === Infinity) return plane;
    const converted = new Float32Array(plane.length);
    for (let i = 0; i < plane.length; i++) converted[i] = Math.min(maximum, Math.max(0, plane[i] * gain + offset));
    return converted;
  });
  return { ...image, pixels };
}

// The cloud mask (1 = cloud) of an image whose red, green and blue are planes `rgb` (indices into image.pixels):
// reflectance = value · reflectance_gain + reflectance_offset; a pixel is bright and white where all three reach
// minimum_reflectance and (max − min) / mean is at most maximum_whiteness, and cloud where besides at least core_share
// of the core_size × core_size pixels around it (the image's edge repeated outward) are bright and white too.
export function cloudMask(image, rgb, radiometry, test) {
  const { width, height } = image, count = width * height;
  const planes = rgb.map((b) => image.pixels[b]);
  const gains = rgb.map((b) => radiometry.reflectance_gain[b]), offsets = rgb.map((b) => radiometry.reflectance_offset[b]);
  const brightWhite = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let lowest = Infinity, highest = -Infinity, sum = 0;
    for (let c = 0; c < 3; c++) {
      const r = Math.fround(planes[c][i] * gains[c] + offsets[c]);
      lowest = Math.min(lowest, r); highest = Math.max(highest, r); sum += r;
    }
    const whiteness = (highest - lowest) / Math.max(sum / 3, 1e-6);
    brightWhite[i] = lowest >= test.minimum_reflectance && whiteness <= test.maximum_whiteness ? 1 : 0;
  }
  if (test.core_size <= 1) return brightWhite;
  // Counts of bright white pixels over the neighbourhood, from a summed-area table of the edge-clamped image.
  const before = Math.floor(test.core_size / 2), after = test.core_size - 1 - before;
  const clampX = (x) => Math.min(width - 1, Math.max(0, x)), clampY = (y) => Math.min(height - 1, Math.max(0, y));
  const paddedWidth = width + before + after, paddedHeight = height + before + after;
  const table = new Float64Array((paddedWidth + 1) * (paddedHeight + 1));
  for (let y = 0; y < paddedHeight; y++) {
    let row = 0;
    for (let x = 0; x < paddedWidth; x++) {
      row += brightWhite[clampY(y - before) * width + clampX(x - before)];
      table[(y + 1) * (paddedWidth + 1) + x + 1] = table[y * (paddedWidth + 1) + x + 1] + row;
    }
  }
  const needed = (test.core_share - 1e-6) * test.core_size * test.core_size;
  const mask = new Uint8Array(count);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!brightWhite[y * width + x]) continue;
      const at = (yy, xx) => table[yy * (paddedWidth + 1) + xx];
      const sum = at(y + test.core_size, x + test.core_size) - at(y, x + test.core_size) - at(y + test.core_size, x) + at(y, x);
      mask[y * width + x] = sum >= needed ? 1 : 0;
    }
  return mask;
}

// The share of cloud (0–1) in the window of `windowSize` pixels around each cell centre (`columns` and `rows`: cellAxis
// of each), cells row by row; pixels outside the image read by symmetric reflection, as the windows are.
export function windowCloudShares(mask, width, height, columns, rows, windowSize) {
  const half = Math.floor(windowSize / 2), perRow = columns.centres.length;
  const shares = new Float32Array(perRow * rows.centres.length);
  rows.centres.forEach((cy, j) => {
    const sourceRows = Int32Array.from({ length: windowSize }, (_, y) => reflect(cy - half + y, height) * width);
    columns.centres.forEach((cx, i) => {
      const sourceColumns = Int32Array.from({ length: windowSize }, (_, x) => reflect(cx - half + x, width));
      let cloud = 0;
      for (const row of sourceRows) for (const column of sourceColumns) cloud += mask[row + column];
      shares[j * perRow + i] = cloud / (windowSize * windowSize);
    });
  });
  return shares;
}

// Width and height as a PNG's or a JPEG's header declares them, before anything is decoded; null for other formats
// or a header that is cut short. `bytes`: the file's first bytes (a JPEG's frame header follows its metadata
// segments, 64 KiB each at most, so a few hundred KiB are plenty).
export function declaredImageSize(bytes) {
  const u16 = (at) => (bytes[at] << 8) | bytes[at + 1];
  const u32 = (at) => ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 24 && png.every((b, i) => bytes[i] === b)) return { width: u32(16), height: u32(20) };
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  // JPEG: walk the segments to the first start-of-frame (SOF0–SOF15 but DHT C4, JPG C8 and DAC CC).
  let at = 2;
  while (at + 3 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) { at++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) { at += 2; continue; } // no length
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return at + 8 < bytes.length ? { height: u16(at + 5), width: u16(at + 7) } : null;
    at += 2 + u16(at + 2);
  }
  return null;
}
