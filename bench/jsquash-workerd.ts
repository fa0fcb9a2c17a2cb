// @jsquash/jpeg (mozjpeg compiled to wasm) inside real workerd (Miniflare), as the edge benchmark's peer: a
// worker that decodes the POSTed JPEG at full size and answers its own decode time. mozjpeg_dec.wasm is
// imported statically (a CompiledWasm module), as workerd requires.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const WORKER = `
import decode, { init } from '@jsquash/jpeg/decode.js';
import wasm from './mozjpeg_dec.wasm';
let ready = null;
export default {
  async fetch(request) {
    ready ??= init(wasm);
    await ready;
    const bytes = await request.arrayBuffer();
    const started = performance.now();
    const image = await decode(bytes);
    const decodeMs = performance.now() - started;
    return Response.json({ decode_ms: decodeMs, width: image.width, height: image.height });
  },
};
`;

export interface JsquashWorker {
  /** POST one JPEG: wall time of the answer and the worker's own decode time, ms. */
  decode(bytes: Uint8Array): Promise<{ ms: number; decodeMs: number; width: number }>;
  dispose(): Promise<void>;
}

export async function startJsquashWorker(): Promise<JsquashWorker> {
  const here = dirname(fileURLToPath(import.meta.url));
  const wasmPath = createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
  const bundled = await build({
    stdin: { contents: WORKER, resolveDir: here, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    external: ['./mozjpeg_dec.wasm'],
  });
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(here, 'worker.mjs'), contents: bundled.outputFiles[0]!.text },
      { type: 'CompiledWasm', path: join(here, 'mozjpeg_dec.wasm'), contents: new Uint8Array(readFileSync(wasmPath)) },
    ],
    compatibilityDate: '2025-09-01',
  });
  return {
    async decode(bytes) {
      const started = performance.now();
      const res = await mf.dispatchFetch('http://localhost/', { method: 'POST', body: bytes });
      const answer = (await res.json()) as { decode_ms: number; width: number };
      return { ms: performance.now() - started, decodeMs: answer.decode_ms, width: answer.width };
    },
    dispose: () => mf.dispose(),
  };
}
