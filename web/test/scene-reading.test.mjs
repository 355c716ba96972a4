// The page's reading of an image (scene-reading.js) against values worked out by hand from the rules of
// lib/Scenes/SceneRadiometry.cs and CloudTest.cs. Run with `npm test` in web/ (MapGridScriptTests runs it in the .NET suite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cellAxis } from "../map-grid.js";
import { cloudMask, declaredImageSize, detectProduct, toModelUnits, windowCloudShares } from "../scene-reading.js";

test("detectProduct reads the level and TCI from the name as SceneRadiometry.Detect does", () => {
  assert.equal(detectProduct("T33UUU_20230805T100031_TCI_10m_L2A.tif", true), "TciL2A");
  assert.equal(detectProduct("S2B_MSIL1C_20230805_TCI.jp2", true), "TciL1C");
  assert.equal(detectProduct("S2B_MSIL2A_20230805.TCI.png", true), "TciL2A");
  assert.equal(detectProduct("tci.png", true), "EuroSat"); // a TCI of no known level
  assert.equal(detectProduct("ATCIL2A.png", true), "EuroSat"); // words only: neither TCI nor L2A stands alone
  assert.equal(detectProduct("Forest_1.jpg", true), "EuroSat");
  assert.equal(detectProduct("s2_l2a_20210701.tif", false), "L2A");
  assert.equal(detectProduct("stack.tif", false), "L1C");
});

test("toModelUnits applies gain and offset, clipped at 0 and the maximum; an identity passes the plane on", () => {
  const plane = Float32Array.of(0, 100, 1000);
  const image = { width: 3, height: 1, bands: 2, pixels: [plane, Float32Array.of(-50, 10, 20)] };
  const radiometry = { gain: [1, 0.5], offset: [0, 5], maximum: 12 };
  const fed = toModelUnits(image, { ...radiometry, maximum: null });
  assert.equal(fed.pixels[0], plane);
  assert.deepEqual(Array.from(fed.pixels[1]), [0, 10, 15]);
  assert.deepEqual(Array.from(toModelUnits(image, radiometry).pixels[0]), [0, 12, 12]);
});

const test9 = { minimum_reflectance: 0.15, maximum_whiteness: 0.2, core_size: 9, core_share: 0.8 };

test("cloudMask: bright and white pixels in a mostly bright and white neighbourhood", () => {
  // 12 × 12 pixels, reflectance = value / 1000: a white block 10 × 10 at the top left (0.3, 0.3, 0.3), a lone white
  // pixel at (11, 11), a bright but red one at (10, 0); the rest dark.
  const width = 12, height = 12, planes = [0, 1, 2].map(() => new Float32Array(width * height).fill(50));
  for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) planes.forEach((p) => { p[y * width + x] = 300; });
  planes.forEach((p) => { p[11 * width + 11] = 300; });
  planes[0][10] = 300; planes[1][10] = 160; planes[2][10] = 160; // (max − min) / mean = 140 / 206.7 > 0.2
  const radiometry = { reflectance_gain: [1e-3, 1e-3, 1e-3], reflectance_offset: [0, 0, 0] };
  const mask = cloudMask({ width, height, bands: 3, pixels: planes }, [0, 1, 2], radiometry, test9);
  // Pixel (x, y) of the block: its 9 × 9 neighbourhood, edges repeated, holds (white columns) × (white rows) white
  // pixels, with min(x + 4, 9) − max(x − 4, 0) + 1 + (x < 4 ? 4 − x : 0) white columns: ≥ 65 of 81 (0.8) is cloud.
  const whiteAlong = (v) => Math.min(v + 4, 9) - Math.max(v - 4, 0) + 1 + (v < 4 ? 4 - v : 0);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const expected = x < 10 && y < 10 && whiteAlong(x) * whiteAlong(y) >= 0.8 * 81 - 1e-6 ? 1 : 0;
      assert.equal(mask[y * width + x], expected, `pixel (${x}, ${y})`);
    }
  assert.equal(mask[11 * width + 11], 0); // alone: bright and white, but no cloud
  assert.equal(mask[0], 1);
  assert.equal(mask[9 * width + 9], 0); // 6 × 6 = 36 white of 81
  // With a core of one pixel, every bright white pixel is cloud, the lone one too; the red one never.
  const plain = cloudMask({ width, height, bands: 3, pixels: planes }, [0, 1, 2], radiometry, { ...test9, core_size: 1 });
  assert.equal(plain[11 * width + 11], 1);
  assert.equal(plain[10], 0);
});

test("windowCloudShares counts each window's cloud, reflecting at the edges", () => {
  // A 4 × 2 mask with cloud in column 0; windows of 2 at stride 2: centres (1, 1) and (3, 1), windows from (0, 0) and (2, 0).
  const mask = Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0);
  const shares = windowCloudShares(mask, 4, 2, cellAxis(4, 2), cellAxis(2, 2), 2);
  assert.deepEqual(Array.from(shares), [0.5, 0]);
  // Windows of 4: centred on (1, 1), columns −1…2 → 0, 0, 1, 2 (two of column 0) and rows −1…2 → 0, 0, 1, 1: 8 of 16;
  // centred on (3, 1), columns 1…4 → 1, 2, 3, 3: none.
  assert.deepEqual(Array.from(windowCloudShares(mask, 4, 2, cellAxis(4, 2), cellAxis(2, 2), 4)), [0.5, 0]);
  // A cloud column at the right edge counts twice in the window that reflects it: columns 1…4 → 1, 2, 3, 3.
  const right = Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 1);
  assert.deepEqual(Array.from(windowCloudShares(right, 4, 2, cellAxis(4, 2), cellAxis(2, 2), 4)), [0, 0.5]);
});

test("declaredImageSize reads a PNG's and a JPEG's header, nothing else", () => {
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    0, 0, 0x9c, 0x40, 0, 0, 0x4e, 0x20);
  assert.deepEqual(declaredImageSize(png), { width: 40000, height: 20000 });
  // SOI, an APP0 segment of 16 bytes, a fill byte, then SOF2 (progressive): precision 8, height 0x0300, width 0x0400.
  const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16, ...new Array(14).fill(0), 0xff, 0xff, 0xc2, 0, 17, 8, 3, 0, 4, 0, 3);
  assert.deepEqual(declaredImageSize(jpeg), { width: 1024, height: 768 });
  assert.equal(declaredImageSize(jpeg.subarray(0, 24)), null); // cut before the frame header
  assert.equal(declaredImageSize(Uint8Array.of(0x49, 0x49, 42, 0)), null); // a TIFF: geotiff.js reads its header
});
