// Runs real `.tflite` bytes through Google's LiteRT.js (@litertjs/core, its wasm CPU runtime) in Node: the
// reference our own interpreter is checked against. LiteRT.js is written for browsers and workers; the
// shim below gives its Emscripten loader what it looks for: `self`, `importScripts` (run the loader
// script in this context), and the CommonJS `require`/`__dirname` its Node branch uses to read the wasm.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import { loadAndCompile, loadLiteRt, Tensor } from '@litertjs/core';

const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve('@litertjs/core/package.json')), 'wasm');

let loading: Promise<unknown> | undefined;

function installShim(): void {
  const g = globalThis as Record<string, unknown>;
  g.self ??= globalThis;
  g.require ??= require;
  g.__dirname = wasmDir;
  g.importScripts ??= (url: string) => {
    const path = url.startsWith('file:') ? fileURLToPath(url) : url;
    runInThisContext(readFileSync(path, 'utf8'), { filename: path });
  };
}

export function ensureLiteRt(): Promise<unknown> {
  if (!loading) {
    installShim();
    loading = loadLiteRt(wasmDir + '/');
  }
  return loading;
}

export interface LiteRtRun {
  output: Float32Array | Int8Array | Int32Array;
}

/** Loads `model` with LiteRT.js on the wasm CPU accelerator, runs it once on `input`, returns output 0. */
export async function runLiteRt(
  model: Uint8Array,
  input: Float32Array,
  shape: number[],
): Promise<Float32Array | Int8Array | Int32Array> {
  await ensureLiteRt();
  const compiled = await loadAndCompile(model, { accelerator: 'wasm' });
  const tensor = new Tensor(input, shape);
  try {
    const results = await compiled.run(tensor);
    const out = results[0]!;
    const data = out.toTypedArray() as Float32Array | Int8Array | Int32Array;
    const copy = data.slice();
    for (const r of results) r.delete();
    return copy;
  } finally {
    tensor.delete();
    compiled.delete();
  }
}
