// A model on WebAssembly in several Web Workers, one per core: each worker holds its own ONNX Runtime session
// (model-worker.js) and classifies whole batches of windows on one thread, so that N cores classify N batches at once.
//
// Why not ONNX Runtime's own WebAssembly threads: they share the work of each operator, and its integer convolutions
// (the page's model computes in 8 bits, lib/Export/ActivationQuantisation.cs) use one thread whatever it is given
// (1024 windows of the shipped model with every value in uint8: 8.0 s on two threads, 8.5 s on one; in two workers, 6.0 s). Batches in parallel keep every core busy
// with any model, and need no cross-origin isolation: each worker has its own memory, no SharedArrayBuffer.
export class ModelWorkers {
  #idle = [];
  #waiting = [];
  #replies = new Map();
  #calls = 0;

  constructor(workers) {
    this.workers = workers;
    for (const worker of workers) {
      worker.onmessage = ({ data }) => {
        const reply = this.#replies.get(data.id);
        this.#replies.delete(data.id);
        if (data.error) reply.reject(new Error(data.error));
        else reply.resolve(data);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        for (const reply of this.#replies.values()) reply.reject(new Error(event.message || "a model worker failed to start"));
        this.#replies.clear();
      };
    }
  }

  // Starts `count` workers, each loading the model (bytes of an ONNX file) with the session `options`; the runtime is
  // the vendored build at `runtime`, its WebAssembly files under `wasmPaths` (absolute URLs).
  static async start(bytes, options, count, runtime, wasmPaths) {
    const pool = new ModelWorkers(Array.from({ length: count }, () => new Worker(new URL("model-worker.js", import.meta.url))));
    try {
      await Promise.all(pool.workers.map((worker) => pool.#call(worker, { type: "load", bytes, options, runtime, wasmPaths })));
    } catch (e) {
      pool.stop();
      throw e;
    }
    pool.#idle = [...pool.workers];
    return pool;
  }

  // The model's output for `input` (float32, shape `dims`), computed by the next idle worker. The input is handed over.
  async run(input, dims) {
    const worker = this.#idle.pop() ?? (await new Promise((resolve) => this.#waiting.push(resolve)));
    try {
      return (await this.#call(worker, { type: "run", input, dims }, [input.buffer])).output;
    } finally {
      const next = this.#waiting.shift();
      if (next) next(worker);
      else this.#idle.push(worker);
    }
  }

  // Ends the workers; batches still out fail, so that whoever waits for them goes on.
  stop() {
    for (const worker of this.workers) worker.terminate();
    for (const reply of this.#replies.values()) reply.reject(new Error("the model was replaced"));
    this.#replies.clear();
  }

  #call(worker, message, transfer = []) {
    const id = ++this.#calls;
    return new Promise((resolve, reject) => {
      this.#replies.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }
}
