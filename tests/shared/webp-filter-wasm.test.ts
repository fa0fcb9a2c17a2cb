// The WebAssembly loop filter (shared/wasm/webp-filter.wasm, host filter-wasm.ts) against loop-filter.ts: every lossy
// WebP fixture and damaged variants decode to the same Y′CbCr rows (or the same error) down to the byte, libwebp's
// pixels still come out with the wasm installed, and the band in wasm memory is charged to the budget.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBudget } from '@resnet-edge/shared/image/budget';
import { ImageError } from '@resnet-edge/shared/image/errors';
import { parseWebp } from '@resnet-edge/shared/image/webp/container';
import { decodeWebpRgbaRows } from '@resnet-edge/shared/image/webp/decode';
import { decodeLossyRows } from '@resnet-edge/shared/image/webp/vp8/decode';
import { setWebpFilterWasmModule, webpFilterWasmMemoryBytes } from '@resnet-edge/shared/image/webp/vp8/filter-wasm';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const WASM = new WebAssembly.Module(readFileSync(join(import.meta.dirname, '../../shared/wasm/webp-filter.wasm')));
const LOSSY = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.webp') && !f.includes('lossless'))
  .sort();
const PHOTO_2000 = 'webp-photo-alpha-2000x1500.webp';
const pathOf = (name: string): string =>
  name === PHOTO_2000 ? join(import.meta.dirname, 'fixtures', name) : join(FIXTURES, name);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(pathOf(name)));

afterEach(() => setWebpFilterWasmModule(null));

/** sha256 over every row handed out (index and bytes), with the budget's peak; or the error's code and message. */
function rowsOf(bytes: Uint8Array, filterWasm: WebAssembly.Module | null): { hash: string; peak: number } | string {
  const hash = createHash('sha256');
  const budget = new MemoryBudget();
  try {
    decodeLossyRows(
      parseWebp(bytes).bitstream,
      budget,
      (y, u, v, row) => hash.update(`${row}:`).update(y).update(u).update(v),
      { filterWasm },
    );
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return `${error.code}: ${error.message}`;
  }
  expect(budget.inUse).toBe(0);
  return { hash: hash.digest('hex'), peak: budget.peak };
}

function seededFlips(bytes: Uint8Array, from: number, flips: number, seed: number): Uint8Array {
  const out = bytes.slice();
  let s = seed;
  for (let i = 0; i < flips; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    const at = from + (s % (out.length - from));
    out[at] = out[at]! ^ (1 << (s % 8));
  }
  return out;
}

describe('webp-filter.wasm filters as loop-filter.ts does', () => {
  it('covers the normal and the simple filter, sharpness, skipped macroblocks, no filter, 2000×1500', () => {
    expect(LOSSY.length).toBeGreaterThanOrEqual(9);
    expect(LOSSY.some((f) => f.includes('simple-filter'))).toBe(true);
  });

  it.each([...LOSSY, PHOTO_2000])('%s: the same rows, and the band charged once, in wasm memory', (name) => {
    const bytes = read(name);
    const ts = rowsOf(bytes, null);
    const wasm = rowsOf(bytes, WASM);
    if (typeof ts === 'string' || typeof wasm === 'string') throw new Error(`${String(ts)} / ${String(wasm)}`);
    expect(wasm.hash).toBe(ts.hash);
    // The wasm path charges the band (now in wasm memory), the row's filter parameters (4 bytes a macroblock), the
    // KiB below them kept for the module's static data, and alignment: never less than the TypeScript path, and
    // not the band twice.
    const mbWide = Math.ceil(parseWebp(bytes).width / 16);
    expect(wasm.peak).toBeGreaterThanOrEqual(ts.peak);
    expect(wasm.peak).toBeLessThanOrEqual(ts.peak + 1024 + 4 * mbWide + 64);
    if (!name.includes('no-filter')) expect(webpFilterWasmMemoryBytes()).toBeGreaterThan(0);
  });

  it('damaged files: the same rows or the same error, flip for flip', () => {
    const bytes = read('webp-lossy-photo-120x80.webp');
    const header = 20 + 10; // RIFF/WEBP/VP8 chunk header, then the frame tag and key-frame header
    let decoded = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const damaged = seededFlips(bytes, header, 1 + (seed % 4), seed);
      const ts = rowsOf(damaged, null);
      const wasm = rowsOf(damaged, WASM);
      if (typeof ts === 'string') expect(wasm).toBe(ts);
      else {
        decoded++;
        expect(typeof wasm === 'string' ? wasm : wasm.hash).toBe(ts.hash);
      }
    }
    expect(decoded).toBeGreaterThan(10); // most flips change pixels or filter levels, not the frame's validity
  });

  it.each(LOSSY)('%s equals dwebp -nofancy with the wasm installed', (name) => {
    setWebpFilterWasmModule(WASM);
    const pam = gunzipSync(
      new Uint8Array(readFileSync(join(FIXTURES, 'webp-expected', name.replace('.webp', '.pam.gz')))),
    );
    const head = new TextDecoder().decode(pam.subarray(0, 120));
    const want = pam.subarray(head.indexOf('ENDHDR\n') + 7);
    const got = new Uint8Array(want.length);
    decodeWebpRgbaRows(read(name), new MemoryBudget(), (row, y) => got.set(row, y * row.length));
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  });
});
