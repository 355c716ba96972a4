// The page's map geometry (map-grid.js) against values worked out by hand from the rules of lib/Scenes/CellAxis.cs and
// SceneClassifier.cs. Run with `npm test` in web/ (MapGridScriptTests runs it in the .NET suite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cellAxis, fillWindow, interpolateClasses, reflect } from "../map-grid.js";

test("reflect is numpy's symmetric padding, repeated beyond one image length", () => {
  const size = 5;
  assert.deepEqual([-7, -6, -5, -2, -1, 0, 4, 5, 6, 9, 10, 11].map((i) => reflect(i, size)), [3, 4, 4, 1, 0, 0, 4, 4, 3, 0, 0, 1]);
  assert.deepEqual([-1, 0, 1, 2].map((i) => reflect(i, 1)), [0, 0, 0, 0]);
});

test("cellAxis: centres at k·stride + ⌊stride/2⌋, one per started stride; weights linear between them", () => {
  // 40 pixels at stride 16: cells centred on 8, 24 and 40 (beyond the last pixel, 39).
  const axis = cellAxis(40, 16);
  assert.deepEqual(Array.from(axis.centres), [8, 24, 40]);
  // pixel: t = (p − 8) / 16 → lower ⌊t⌋, weight t − ⌊t⌋; before the first centre the first one, weight 0.
  const at = (p) => [axis.lower[p], axis.upper[p], axis.weights[p]];
  assert.deepEqual(at(0), [0, 0, 0]);
  assert.deepEqual(at(7), [0, 0, 0]);
  assert.deepEqual(at(8), [0, 0, 0]);
  assert.deepEqual(at(12), [0, 1, 0.25]);
  assert.deepEqual(at(24), [1, 1, 0]);
  assert.deepEqual(at(39), [1, 2, 0.9375]);
  // Stride 1 classifies every pixel's own window; an odd stride centres on ⌊stride/2⌋.
  assert.deepEqual(Array.from(cellAxis(3, 1).centres), [0, 1, 2]);
  assert.deepEqual(Array.from(cellAxis(3, 1).weights), [0, 0, 0]);
  assert.deepEqual(Array.from(cellAxis(7, 3).centres), [1, 4, 7]);
  // After the last centre (an axis that ends past it) the last one, weight 0.
  const short = cellAxis(30, 32);
  assert.deepEqual(Array.from(short.centres), [16]);
  assert.deepEqual([short.lower[29], short.upper[29], short.weights[29]], [0, 0, 0]);
});

test("fillWindow cuts the window S/2 before its centre out of the reflected image and standardises it", () => {
  // A 3 × 2 image of one band, values 10·row + column; a 4 × 4 window centred on (0, 0) starts at (−2, −2).
  const image = { width: 3, height: 2, bands: 1, pixels: [Float32Array.of(0, 1, 2, 10, 11, 12)] };
  const target = new Float32Array(1 + 16);
  fillWindow(image, 0, 0, 4, [1], [2], target, 1);
  // rows −2, −1, 0, 1 → 1, 0, 0, 1; columns −2, −1, 0, 1 → 1, 0, 0, 1.
  const raw = [11, 10, 10, 11, 1, 0, 0, 1, 1, 0, 0, 1, 11, 10, 10, 11];
  assert.deepEqual(Array.from(target), [0, ...raw.map((v) => (v - 1) / 2)]);
});

test("interpolateClasses: bilinear between the four nearest centres, then arg-max or the uncertain value", () => {
  // A 4 × 3 image at stride 2: centres x 1, 3 and y 1, 3; two classes per cell.
  const columns = cellAxis(4, 2), rows = cellAxis(3, 2);
  const cells = Float32Array.of(
    1.0, 0.0, /* (x 1, y 1) */ 0.0, 1.0, /* (x 3, y 1) */
    0.6, 0.4, /* (x 1, y 3) */ 0.2, 0.8 /* (x 3, y 3) */);
  // Pixel (2, 2): halfway along both axes → class 1 at (1 + 0 + 0.4 + 0.8) / 4 = 0.55, class 0 at 0.45.
  // Pixel (2, 1): halfway along x on the first row of centres → 0.5 each, ties go to the first class.
  // Pixels at x 0–1 on rows 0–1 are the first centre's: class 0 at 1; at x 3 the second's: class 1.
  const classes = interpolateClasses(cells, 2, columns, rows, 0.52, 10);
  assert.deepEqual(Array.from(classes), [
    0, 0, 10, 1,
    0, 0, 10, 1,
    0, 0, 1, 1,
  ]);
  assert.deepEqual(Array.from(interpolateClasses(cells, 2, columns, rows, 0, 10)), [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1]);
});

test("interpolateClasses with clouds: cloudy windows uncertain, cloud pixels cloud, confident built-up spared", () => {
  const columns = cellAxis(4, 2), rows = cellAxis(3, 2);
  const cells = Float32Array.of(1.0, 0.0, 0.0, 1.0, 0.6, 0.4, 0.2, 0.8);
  // Half of the first cell's window is cloud: interpolated, pixels at x 0–1 on rows 0–1 have 0.5, (2, 0–1) and
  // (0–1, 2) 0.25, (2, 2) 0.125. Pixels (2, 2) and (3, 2) are cloud; class 1 is spared from 0.7: pixel (3, 2) has it
  // at 0.9 and stays, pixel (2, 2) at 0.55 does not.
  const mask = new Uint8Array(12);
  mask[10] = mask[11] = 1;
  const clouds = { shares: Float32Array.of(0.5, 0, 0, 0), mask, cloudyWindowShare: 0.25, spared: [1], sparedAbove: 0.7, cloudValue: 11 };
  assert.deepEqual(Array.from(interpolateClasses(cells, 2, columns, rows, 0, 10, clouds)), [
    10, 10, 10, 1,
    10, 10, 10, 1,
    10, 10, 11, 1,
  ]);
});
