// Memory of a ResNet-18 at 224×224 in the int8 interpreter: weights stay int8 and are held once — read in place
// from the `.tflite` bytes — activations share a planned arena, and the wasm path adds its own int8 copy of the
// filters. The total must leave most of a 128 MB worker isolate free (measured peaks: `npm run bench -- infer-memory`).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { resnet18Graph } from './tflite-fixtures.ts';

const CONV_WASM = new WebAssembly.Module(readFileSync(new URL('../../shared/wasm/conv.wasm', import.meta.url)));
const MiB = 2 ** 20;

test('ResNet-18 224×224 int8: constants are views on the file, and the whole model fits well inside 128 MB', () => {
  const bytes = writeTflite(resnet18Graph());
  const interpreter = Interpreter.create(bytes, undefined, { wasm: CONV_WASM });
  const constants = interpreter.graph.tensors.filter((t) => t.data);
  // Not one weight copied out of the file (our writer aligns every buffer, so int32 biases are views too).
  for (const t of constants) expect(t.data!.buffer, t.name).toBe(bytes.buffer);
  const int8Weights = constants.filter((t) => t.type === 'int8').reduce((a, t) => a + t.data!.byteLength, 0);
  expect(int8Weights).toBeGreaterThan(11_000_000);
  const total = bytes.byteLength + interpreter.arenaBytes + interpreter.wasmBytes;
  console.log(
    `ResNet-18 224 int8: .tflite ${(bytes.byteLength / MiB).toFixed(1)} MiB + arena ${(interpreter.arenaBytes / MiB).toFixed(1)} MiB + wasm ${(interpreter.wasmBytes / MiB).toFixed(1)} MiB = ${(total / MiB).toFixed(1)} MiB`,
  );
  expect(total).toBeLessThan(40 * MiB);
  const input = new Float32Array(224 * 224 * 3).map((_, i) => Math.sin(i));
  expect(interpreter.run(input).every(Number.isFinite)).toBe(true);
});
