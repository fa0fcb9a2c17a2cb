// The `.tflite` container: writer → reader round trip, and every way a bad file is refused.
import { describe, expect, test } from 'vitest';
import { Builder } from 'flatbuffers';
import { readTflite } from '@resnet-edge/shared/tflite/reader';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { TfliteError } from '@resnet-edge/shared/tflite/errors';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { GraphBuilder } from './tflite-fixtures.ts';

function network() {
  const g = new GraphBuilder(42);
  const x = g.input([1, 8, 8, 3]);
  const c = g.conv(x, { outC: 4, k: 3, stride: 2, fused: 'RELU6' });
  const p = g.pool('AVERAGE_POOL_2D', c, 2, 1, 'VALID');
  const m = g.pool('MAX_POOL_2D', p, 2, 1, 'SAME');
  const r = g.reshape(m, [1, 36]);
  const fc = g.fullyConnected(r, 5, true);
  return g.build(g.softmax(g.dequantize(fc)), 'round trip');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TfliteError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('expected a TfliteError');
}

describe('round trip', () => {
  test('readTflite(writeTflite(g)) gives back g, scales as float32', () => {
    const graph = network();
    const back = readTflite(writeTflite(graph));
    expect(back.ops).toEqual(graph.ops);
    expect(back.inputs).toEqual(graph.inputs);
    expect(back.outputs).toEqual(graph.outputs);
    expect(back.description).toBe('round trip');
    expect(back.tensors.length).toBe(graph.tensors.length);
    back.tensors.forEach((t, i) => {
      const src = graph.tensors[i]!;
      expect(t.name).toBe(src.name);
      expect(t.shape).toEqual(src.shape);
      expect(t.type).toBe(src.type);
      expect(t.data).toEqual(src.data);
      expect(t.quant?.scale).toEqual(src.quant?.scale.map(Math.fround));
      expect(t.quant?.zeroPoint).toEqual(src.quant?.zeroPoint);
    });
  });

  test('the file carries the TFL3 identifier, schema version 3 and an empty buffer 0', () => {
    const bytes = writeTflite(network());
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe('TFL3');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const root = view.getUint32(0, true);
    const vtable = root - view.getInt32(root, true);
    const versionAt = root + view.getUint16(vtable + 4, true);
    expect(view.getUint32(versionAt, true)).toBe(3);
  });

  test('running the GraphIR and running its bytes give identical outputs', () => {
    const graph = network();
    const fromGraph = Interpreter.create(graph);
    const fromBytes = Interpreter.create(writeTflite(graph));
    const input = Float32Array.from({ length: 192 }, (_, i) => Math.sin(i) * 0.9);
    expect(Array.from(fromBytes.run(input))).toEqual(Array.from(fromGraph.run(input)));
  });
});

describe('bad input', () => {
  const good = writeTflite(network());

  test('fewer than 8 bytes → truncated', () => {
    expect(codeOf(() => readTflite(new Uint8Array(5)))).toMatch(/^truncated: .*5/);
    expect(codeOf(() => Interpreter.create(new Uint8Array(0)))).toMatch(/^truncated/);
  });

  test('a cut-off file → truncated or invalid_model, never a crash', () => {
    for (const n of [8, 12, 64, good.length >> 1, good.length - 1]) {
      expect(codeOf(() => readTflite(good.slice(0, n)))).toMatch(/^(truncated|invalid_model): /);
    }
  });

  test('wrong identifier → bad_identifier', () => {
    const bytes = good.slice();
    bytes.set(new TextEncoder().encode('ONNX'), 4);
    expect(codeOf(() => readTflite(bytes))).toBe("bad_identifier: file identifier is 'ONNX', expected 'TFL3'");
    expect(codeOf(() => readTflite(new TextEncoder().encode('\x89PNG\r\n\x1a\n0000')))).toMatch(/^bad_identifier/);
  });

  test('an operator we do not implement → unsupported_op naming it', () => {
    // A hand-built model whose only operator code is TANH (28).
    const b = new Builder(256);
    b.startObject(4);
    b.addFieldInt8(0, 28, 0);
    b.addFieldInt32(3, 28, 0);
    const code = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(code);
    const codes = b.endVector();
    b.startObject(5);
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(1, codes, 0);
    b.finish(b.endObject(), 'TFL3');
    expect(codeOf(() => readTflite(b.asUint8Array()))).toMatch(/^unsupported_op: builtin operator 28 is not supported/);
  });

  test('a constant whose buffer does not match its shape → invalid_model', () => {
    const graph = network();
    const filter = graph.tensors.findIndex((t) => t.name.endsWith('/filter'));
    expect(graph.tensors[filter]!.shape).toEqual([4, 3, 3, 3]);
    // The writer refuses it …
    const wrong = {
      ...graph,
      tensors: graph.tensors.map((t, i) => (i === filter ? { ...t, shape: [4, 3, 3, 2] } : t)),
    };
    expect(codeOf(() => writeTflite(wrong))).toMatch(/^invalid_model: .*does not match/);
    // … and so does the reader, for a file whose stored shape [4, 3, 3, 3] is patched to [4, 3, 3, 2].
    const patched = writeTflite(graph);
    const at = indexOf(patched, new Uint8Array(new Int32Array([4, 4, 3, 3, 3]).buffer));
    expect(at).toBeGreaterThan(0);
    patched.set(new Uint8Array(new Int32Array([2]).buffer), at + 16);
    expect(codeOf(() => readTflite(patched))).toMatch(/^invalid_model: tensor \d+ '.*filter': buffer has 108 bytes/);
  });

  test('offsets pointing outside the file → invalid_model', () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setUint32(0, bytes.length - 2, true);
    expect(codeOf(() => readTflite(bytes))).toMatch(/^(truncated|invalid_model)/);
    let refused = 0;
    // Flip bytes all over the file: every result is a graph or a TfliteError, never another exception.
    for (let i = 8; i < bytes.length; i += 13) {
      const damaged = good.slice();
      damaged[i] = damaged[i]! ^ 0xff;
      try {
        Interpreter.create(damaged);
      } catch (e) {
        expect(e).toBeInstanceOf(TfliteError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
