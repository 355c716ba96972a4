// Drives the map page in headless Chromium with playwright-core, for the end-to-end test
// (tests/CnnSentinel.Tests/Export/MapPageTests.cs). Argument: a JSON object
//   { "url": page address, "chromium": browser executable, "cases": [{ "model"?: .onnx to pick, "image": file to pick,
//     "stride"?: option to select, "threshold"?: number to enter, "viewport"?: { width, height }, "screenshot"?: PNG path,
//     "thenThreshold"?: number to enter once the map is done, "threads"?: WebAssembly threads to ask for (?threads=N),
//     "backend"?: "webgpu" or "wasm" to force (?backend=…) }], "webgpu"?: true to give the browser a WebGPU adapter (software),
//   "mapTimeoutSeconds"?: how long a map may take (120 by default) }
// Each case opens the page afresh (which loads model.onnx next to it), sets the controls, picks the files and waits
// until the page shows a result or a message. Prints a JSON array: per case { status, error, answer (the class of an
// image of one window, or null), legend (its labels),
// layout (page width and the boxes of the image and the map canvases), map, and with thenThreshold mapAfter: the map then }.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { chromium } from "playwright-core";

const spec = JSON.parse(process.argv[2]);
const profile = mkdtempSync(join(tmpdir(), "map-page-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: spec.chromium,
  headless: true,
  // With "webgpu", WebGPU on Chromium's software adapter (SwiftShader), so that the page's WebGPU path runs without a GPU.
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
    ...(spec.webgpu ? ["--enable-unsafe-webgpu", "--enable-unsafe-swiftshader"] : ["--disable-gpu"])],
});
const results = [];
try {
  for (const testCase of spec.cases) {
    const page = await browser.newPage();
    if (testCase.viewport) await page.setViewportSize(testCase.viewport);
    const console = [];
    page.on("console", (message) => console.push(message.text()));
    page.on("pageerror", (error) => console.push(error.message));
    const query = new URLSearchParams();
    if (testCase.threads) query.set("threads", testCase.threads);
    if (testCase.backend) query.set("backend", testCase.backend);
    await page.goto(query.size ? `${spec.url}?${query}` : spec.url);
    await page.waitForFunction(() => /^(Model|No model)/.test(document.getElementById("status").textContent) || document.getElementById("error").textContent, null, { timeout: 60000 })
      .catch((e) => { throw new Error(`${e.message}; page console: ${console.join(" | ")}`); });
    if (testCase.model) {
      // The page already shows the model next to it: wait for the picked one by name.
      await page.setInputFiles("#model-file", testCase.model);
      await page.waitForFunction((name) => document.getElementById("status").textContent.startsWith(`Model ${name}:`) || document.getElementById("error").textContent,
        basename(testCase.model), { timeout: 60000 });
    }
    if (testCase.stride) await page.selectOption("#stride", String(testCase.stride));
    if (testCase.threshold !== undefined) await page.fill("#threshold", String(testCase.threshold));
    await page.setInputFiles("#image-file", testCase.image);
    await page.waitForFunction(() => /^Done/.test(document.getElementById("status").textContent) || document.getElementById("error").textContent, null,
      { timeout: (spec.mapTimeoutSeconds ?? 120) * 1000 });
    if (testCase.screenshot) await page.screenshot({ path: testCase.screenshot, fullPage: true });
    results.push(await page.evaluate(() => {
      const box = (id) => { const { x, y, width, height } = document.getElementById(id).getBoundingClientRect(); return { x, y, width, height }; };
      return {
        status: document.getElementById("status").textContent,
        error: document.getElementById("error").textContent,
        answer: document.getElementById("answer").hidden ? null : document.getElementById("answer").textContent,
        legend: Array.from(document.querySelectorAll("#legend label"), (label) => label.textContent),
        layout: { pageWidth: document.documentElement.clientWidth, image: box("image"), overlay: box("overlay") },
        map: window.landUseMap(),
      };
    }));
    if (testCase.thenThreshold !== undefined) {
      await page.fill("#threshold", String(testCase.thenThreshold));
      await page.dispatchEvent("#threshold", "change");
      results.at(-1).mapAfter = await page.evaluate(() => window.landUseMap());
    }
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(results));
