// The interpreter inside workerd: a tiny worker that imports it is bundled with esbuild the way the edge
// worker is, run in real workerd (miniflare), and must return outputs bit-identical to Node's — on the
// TypeScript path and on the WebAssembly SIMD path (conv.wasm imported as a compiled module, as wrangler ships it).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { GraphBuilder } from './tflite-fixtures.ts';

// POST body: uint32 model length, the model bytes, then the float32 input. Response: the float32 output.
const WORKER = `
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import convWasm from './conv.wasm';
export default {
  async fetch(request) {
    const wasm = new URL(request.url).searchParams.has('wasm') ? convWasm : null;
    const body = new Uint8Array(await request.arrayBuffer());
    const modelLength = new DataView(body.buffer).getUint32(0, true);
    const model = body.slice(4, 4 + modelLength);
    const input = new Float32Array(body.slice(4 + modelLength).buffer);
    try {
      const interpreter = Interpreter.create(model, undefined, { wasm });
      if (interpreter.kernels !== (wasm ? 'wasm-simd' : 'typescript')) throw new Error('wrong kernels: ' + interpreter.kernels);
      const output = interpreter.run(input);
      return new Response(output.slice().buffer);
    } catch (e) {
      return new Response(e.code + ': ' + e.message, { status: 422 });
    }
  },
};
`;

let mf: Miniflare;

beforeAll(async () => {
  const bundled = await build({
    stdin: { contents: WORKER, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    external: ['./conv.wasm'],
  });
  const dir = fileURLToPath(new URL('.', import.meta.url));
  mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(dir, 'worker.mjs'), contents: bundled.outputFiles[0]!.text },
      {
        type: 'CompiledWasm',
        path: join(dir, 'conv.wasm'),
        contents: new Uint8Array(readFileSync(join(dir, '..', '..', 'shared', 'wasm', 'conv.wasm'))),
      },
    ],
    compatibilityDate: '2025-09-01',
  });
});

afterAll(async () => {
  await mf?.dispose();
});

function request(model: Uint8Array, input: Float32Array): Uint8Array {
  const body = new Uint8Array(4 + model.length + input.byteLength);
  new DataView(body.buffer).setUint32(0, model.length, true);
  body.set(model, 4);
  body.set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength), 4 + model.length);
  return body;
}

describe('interpreter in workerd', () => {
  test.each(['', '?wasm'])(
    'a ResNet-shaped int8 model gives bit-identical outputs in workerd%s and Node (TypeScript path)',
    async (query) => {
      const g = new GraphBuilder(99);
      const x = g.input([1, 16, 16, 3]);
      const a = g.conv(x, { outC: 8, k: 3, fused: 'RELU' });
      const p = g.pool('MAX_POOL_2D', a, 3, 2, 'SAME');
      const b = g.conv(p, { outC: 8, k: 3 });
      // Deep enough for the packed two-pixel TS path and a channel count that is not a multiple of 4.
      const deep = g.conv(g.conv(b, { outC: 230, k: 1 }), { outC: 8, k: 3 });
      const sum = g.addOp(p, deep, 'RELU');
      const logits = g.fullyConnected(g.mean(sum), 10, false);
      const model = writeTflite(g.build(g.softmax(g.dequantize(logits))));
      for (let run = 0; run < 2; run++) {
        const input = g.inputValues();
        const node = Interpreter.create(model, undefined, { wasm: null }).run(input);
        const res = await mf.dispatchFetch(`http://worker/${query}`, { method: 'POST', body: request(model, input) });
        expect(res.status).toBe(200);
        const fromWorkerd = new Uint8Array(await res.arrayBuffer());
        expect(fromWorkerd).toEqual(new Uint8Array(node.buffer, node.byteOffset, node.byteLength));
      }
    },
  );

  test('a bad model is refused with its error code inside workerd too', async () => {
    const res = await mf.dispatchFetch('http://worker/', {
      method: 'POST',
      body: request(new TextEncoder().encode('not a tflite file'), new Float32Array(1)),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/^bad_identifier: /);
  });
});
