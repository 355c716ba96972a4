// The map's geometry, as the `classify` command computes it (lib/Scenes/SceneClassifier.cs, CellAxis.cs), so that the
// page and the library give the same map: windows classified at the centres of a grid of stride × stride cells over the
// whole image, pixels outside the image filled by symmetric reflection, and each pixel's class probabilities
// interpolated bilinearly between the nearest centres. No DOM here: the page imports it and node tests it (test/map-grid.test.mjs).

// The image coordinate a window reads for coordinate `index` of an axis `size` long: numpy's "symmetric" padding
// (−1 → 0, −2 → 1, size → size − 1), repeated for images smaller than a window.
export function reflect(index, size) {
  const m = ((index % (2 * size)) + 2 * size) % (2 * size);
  return m < size ? m : 2 * size - 1 - m;
}

// One axis of the grid, `size` pixels long: the cell centres (centre k at k·stride + ⌊stride/2⌋, one cell per started
// stride, so the last centre may lie beyond the image) and, for every pixel, the centre at or before it (lower), the
// one after it (upper) and the weight of upper. Before the first centre and after the last, a pixel takes the nearest
// centre with weight 0.
export function cellAxis(size, stride) {
  const cells = Math.ceil(size / stride), offset = Math.floor(stride / 2);
  const centres = Int32Array.from({ length: cells }, (_, k) => k * stride + offset);
  const lower = new Int32Array(size), upper = new Int32Array(size), weights = new Float32Array(size);
  for (let p = 0; p < size; p++) {
    const t = (p - offset) / stride;
    let k = Math.floor(t), w = t - k;
    if (k < 0) [k, w] = [0, 0];
    if (k >= cells - 1) [k, w] = [cells - 1, 0];
    lower[p] = k;
    upper[p] = w > 0 ? k + 1 : k;
    weights[p] = w;
  }
  return { centres, lower, upper, weights };
}

// Writes the window of `windowSize` pixels centred on (centreX, centreY) — its top-left corner windowSize/2 before the
// centre — standardised per band, (value − mean) / std, band after band, into `target` from `offset`.
export function fillWindow(image, centreX, centreY, windowSize, mean, std, target, offset) {
  const half = Math.floor(windowSize / 2);
  const columns = Int32Array.from({ length: windowSize }, (_, x) => reflect(centreX - half + x, image.width));
  for (let b = 0; b < image.bands; b++) {
    const plane = image.pixels[b];
    for (let y = 0; y < windowSize; y++) {
      const row = reflect(centreY - half + y, image.height) * image.width, at = offset + (b * windowSize + y) * windowSize;
      for (let x = 0; x < windowSize; x++) target[at + x] = (plane[row + columns[x]] - mean[b]) / std[b];
    }
  }
}

// Per pixel (row after row), the arg-max of the class probabilities interpolated from the cells' (`cells`: classCount
// values per cell, rows of cells from the top), or `uncertainValue` where the largest of them is below `threshold`.
// With `clouds` ({ shares: each cell's share of cloud, mask: 1 per cloud pixel, cloudyWindowShare, spared: class
// indices, sparedAbove, cloudValue }), as SceneClassifier does: a pixel whose window share (interpolated like the
// probabilities) reaches cloudyWindowShare is uncertain, a cloud pixel is cloudValue, unless its class is a spared one
// (built-up land, whose white roofs pass the test too) with at least sparedAbove.
export function interpolateClasses(cells, classCount, columns, rows, threshold, uncertainValue, clouds = null) {
  const width = columns.lower.length, height = rows.lower.length, perRow = columns.centres.length;
  const classes = new Uint8Array(width * height);
  const lerp2 = (values, a, b, c, d, wx, wy) => {
    const upperRow = values[a] + (values[b] - values[a]) * wx;
    const lowerRow = values[c] + (values[d] - values[c]) * wx;
    return upperRow + (lowerRow - upperRow) * wy;
  };
  for (let y = 0; y < height; y++) {
    const top = rows.lower[y] * perRow, bottom = rows.upper[y] * perRow, wy = rows.weights[y];
    for (let x = 0; x < width; x++) {
      const left = columns.lower[x], right = columns.upper[x], wx = columns.weights[x];
      const a = (top + left) * classCount, b = (top + right) * classCount, c = (bottom + left) * classCount, d = (bottom + right) * classCount;
      let best = 0, largest = -1;
      for (let k = 0; k < classCount; k++) {
        const p = lerp2(cells, a + k, b + k, c + k, d + k, wx, wy);
        if (p > largest) [best, largest] = [k, p];
      }
      let value = largest < threshold ? uncertainValue : best;
      if (clouds && !(clouds.spared.includes(best) && largest >= clouds.sparedAbove)) {
        const share = lerp2(clouds.shares, top + left, top + right, bottom + left, bottom + right, wx, wy);
        if (share >= clouds.cloudyWindowShare) value = uncertainValue;
        if (clouds.mask[y * width + x]) value = clouds.cloudValue;
      }
      classes[y * width + x] = value;
    }
  }
  return classes;
}
