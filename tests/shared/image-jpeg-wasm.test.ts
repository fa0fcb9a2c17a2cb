// The WebAssembly entropy decoder (shared/wasm/jpeg.wasm, host scan-wasm.ts) against scan-fast.ts, on every JPEG
// fixture and on generated and damaged files at every scale: the same bytes out, or the same error — code and
// message, down to the byte a missing restart marker is reported at.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noiseJpeg, scanStart, seededFlips } from '../helpers/jpeg-damage.ts';
import { MemoryBudget } from '@resnet-edge/shared/image/budget';
import { ImageError } from '@resnet-edge/shared/image/errors';
import { decodeJpegScaled, type JpegScale } from '@resnet-edge/shared/image/jpeg/decode';
import { jpegWasmMemoryBytes } from '@resnet-edge/shared/image/jpeg/scan-wasm';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const JPEG_WASM = new WebAssembly.Module(readFileSync(join(import.meta.dirname, '../../shared/wasm/jpeg.wasm')));
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const SCALES: JpegScale[] = [1, 2, 4, 8];

/** Decoded bytes, or the error's code and message. */
function outcome(bytes: Uint8Array, scale: JpegScale, wasm: WebAssembly.Module | null): string | Uint8Array {
  try {
    return decodeJpegScaled(bytes, scale, new MemoryBudget(64 * 1024 * 1024), { wasm }).data;
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return `${error.code}: ${error.message}`;
  }
}

function expectSamePaths(bytes: Uint8Array): void {
  for (const scale of SCALES) {
    const wasm = outcome(bytes, scale, JPEG_WASM);
    const fast = outcome(bytes, scale, null);
    if (typeof fast === 'string') expect(wasm).toBe(fast);
    else expect(typeof wasm !== 'string' && Buffer.from(wasm).equals(Buffer.from(fast))).toBe(true);
  }
}

/** Offsets of the RSTn markers in the file's entropy-coded data. */
function restartMarkers(bytes: Uint8Array): number[] {
  const at: number[] = [];
  for (let i = scanStart(bytes); i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1]! >= 0xd0 && bytes[i + 1]! <= 0xd7) at.push(i);
  }
  return at;
}

function insertAt(bytes: Uint8Array, at: number, extra: number[]): Uint8Array {
  return new Uint8Array([...bytes.subarray(0, at), ...extra, ...bytes.subarray(at)]);
}

/** Files whose scans hold RSTn markers (cjpeg -restart; the older "restart" fixtures hold none). */
const RESTART_FILES = [
  'baseline-411-restart-173x91.jpg',
  'baseline-420-restart-173x91.jpg',
  'baseline-422-restart-173x91.jpg',
  'gray-restart-131x77.jpg',
  'progressive-420-restart-150x100.jpg',
];

const JPEGS = readdirSync(FIXTURES).filter((name) => name.endsWith('.jpg'));

describe('wasm scan decoding equals scan-fast.ts', () => {
  it('lists the generated sampling and restart fixtures', () => {
    expect(JPEGS).toEqual(
      expect.arrayContaining([
        'baseline-411-restart-173x91.jpg',
        'baseline-420-restart-173x91.jpg',
        'baseline-422-restart-173x91.jpg',
        'baseline-444-restart-173x91.jpg',
        'gray-restart-131x77.jpg',
        'progressive-420-restart-150x100.jpg',
        'progressive-422-150x100.jpg',
      ]),
    );
  });

  it.each(JPEGS)('%s at 1/1, 1/2, 1/4 and 1/8', (name) => {
    expectSamePaths(file(name));
  });

  it('noise at quality 100 and 75 (codes and magnitudes longer than the fast table)', () => {
    expectSamePaths(noiseJpeg(203, 117, 100));
    expectSamePaths(noiseJpeg(64, 48, 75));
  });

  it('a scan large enough for the skip table (≥ 8192 blocks), whole and with 8 seeded damages', () => {
    const big = noiseJpeg(1024, 768, 60);
    expectSamePaths(big);
    for (let seed = 1; seed <= 8; seed++) expectSamePaths(seededFlips(big, scanStart(big), seed, seed));
  });

  it('damaged scans: the same pixels or the same error, 140 seeded damages', () => {
    const names = [
      'color-640x427.jpg',
      'baseline-422-restart-240x160.jpg',
      'progressive-444-restart-256x192.jpg',
      'baseline-420-restart-173x91.jpg',
      'baseline-411-restart-173x91.jpg',
      'gray-restart-131x77.jpg',
      'progressive-420-restart-150x100.jpg',
    ];
    for (const name of names) {
      const bytes = file(name);
      for (let seed = 1; seed <= 20; seed++) {
        expectSamePaths(seededFlips(bytes, scanStart(bytes), 1 + (seed % 4), seed));
      }
    }
  });

  it('bytes of garbage before a restart marker: reported at the same byte, or dropped the same way', () => {
    // The wasm reader buffers up to 7 bytes ahead, scan-fast.ts up to 4: which garbage each has already read
    // when the interval ends decides whether the marker is found, so every count from 1 to 9 is tried.
    for (const name of RESTART_FILES) {
      const bytes = file(name);
      const markers = restartMarkers(bytes);
      expect(markers.length).toBeGreaterThan(4);
      for (const marker of markers.slice(0, 4)) {
        for (let n = 1; n <= 9; n++) {
          expectSamePaths(
            insertAt(
              bytes,
              marker,
              Array.from({ length: n }, (_, i) => (0x5a + 37 * i) & 0x7f),
            ),
          );
          expectSamePaths(
            insertAt(
              bytes,
              marker,
              Array.from({ length: n }, (_, i) => (i % 2 ? 0xff : 0x00)),
            ),
          );
        }
        expectSamePaths(insertAt(bytes, marker, [0xff, 0xff, 0xff])); // fill bytes before the marker
      }
    }
  });

  it('cut short anywhere in the scan: the same error', () => {
    for (const name of ['baseline-420-restart-173x91.jpg', 'color-37x23.jpg', 'progressive-420-75x50.jpg']) {
      const bytes = file(name);
      const from = scanStart(bytes);
      for (let cut = from; cut < bytes.length; cut += Math.max(1, Math.floor((bytes.length - from) / 40))) {
        expectSamePaths(new Uint8Array([...bytes.subarray(0, cut), 0xff, 0xd9]));
        expectSamePaths(bytes.subarray(0, cut));
      }
    }
  });
});

describe('wasm memory', () => {
  const big = noiseJpeg(1024, 768, 60);
  const decode = (bytes: Uint8Array, scale: JpegScale, budget: MemoryBudget, wasm: WebAssembly.Module | null) =>
    decodeJpegScaled(bytes, scale, budget, { wasm });

  it('is charged to the request: the TS path’s peak plus the file copy and tables, and released after', () => {
    for (const scale of SCALES) {
      const ts = new MemoryBudget(64 * 1024 * 1024);
      const wasm = new MemoryBudget(64 * 1024 * 1024);
      const out = decode(big, scale, wasm, JPEG_WASM);
      decode(big, scale, ts, null);
      expect(wasm.peak - ts.peak).toBeGreaterThan(big.length);
      expect(wasm.peak - ts.peak).toBeLessThan(big.length + 256 * 1024);
      expect(wasm.inUse).toBe(out.data.byteLength); // only the output stays charged, as on the TS path
      expect(ts.inUse).toBe(out.data.byteLength);
    }
  });

  it('is sized before decoding: a budget too small for it refuses the file with over_memory_budget', () => {
    const tight = new MemoryBudget(big.length);
    expect(() => decode(big, 8, tight, JPEG_WASM)).toThrow(expect.objectContaining({ code: 'over_memory_budget' }));
  });

  it('does not grow across requests: one memory, as large as the largest decode needed', () => {
    decode(big, 1, new MemoryBudget(64 * 1024 * 1024), JPEG_WASM);
    const after = jpegWasmMemoryBytes();
    expect(after).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      for (const scale of SCALES) decode(big, scale, new MemoryBudget(64 * 1024 * 1024), JPEG_WASM);
      decode(file('color-640x427.jpg'), 2, new MemoryBudget(64 * 1024 * 1024), JPEG_WASM);
    }
    expect(jpegWasmMemoryBytes()).toBe(after);
  });

  it('reused memory starts each decode from zeroed coefficient stores', () => {
    // A noisy file leaves every store word set; the next file's blocks must not see any of it.
    decode(big, 1, new MemoryBudget(64 * 1024 * 1024), JPEG_WASM);
    for (const name of ['progressive-420-restart-150x100.jpg', 'baseline-411-restart-173x91.jpg']) {
      for (const scale of SCALES) {
        expect(outcome(file(name), scale, JPEG_WASM)).toEqual(outcome(file(name), scale, null));
        decode(big, 1, new MemoryBudget(64 * 1024 * 1024), JPEG_WASM);
      }
    }
  });
});
