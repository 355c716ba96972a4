// One ONNX Runtime session in a Web Worker (started by model-workers.js): loads the model it is sent, then classifies
// each batch of windows it is sent, on one WebAssembly thread.
let session = null;

self.onmessage = async ({ data }) => {
  try {
    if (data.type === "load") {
      importScripts(data.runtime); // the vendored WebAssembly build of onnxruntime-web (global `ort`)
      ort.env.wasm.wasmPaths = data.wasmPaths;
      ort.env.wasm.numThreads = 1;
      session = await ort.InferenceSession.create(data.bytes, data.options);
      self.postMessage({ id: data.id });
    } else {
      const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", data.input, data.dims) };
      const output = (await session.run(feeds))[session.outputNames[0]].data;
      self.postMessage({ id: data.id, output }, [output.buffer]);
    }
  } catch (e) {
    self.postMessage({ id: data.id, error: e.message ?? String(e) });
  }
};
