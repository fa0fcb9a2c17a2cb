// The fast entropy decoder (scan-fast.ts: sequential scans and progressive DC scans) against scan.ts's
// reference decoder, on real and generated files at every scale: the same bytes out, or the same error code —
// also for damaged files, whose scans reach the decoders' error and padding paths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noiseJpeg, scanStart, seededFlips } from '../helpers/jpeg-damage.ts';
import { MemoryBudget } from '@resnet-edge/shared/image/budget';
import { ImageError } from '@resnet-edge/shared/image/errors';
import { decodeJpegScaled, type JpegScale } from '@resnet-edge/shared/image/jpeg/decode';
import {
  buildHuffmanTable,
  fastAcTable,
  FAST_AC_BITS,
  FAST_AC_EOB,
  skipAcTable,
  SKIP_AC_BITS,
  SKIP_AC_EOB,
} from '@resnet-edge/shared/image/jpeg/huffman';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const SCALES: JpegScale[] = [1, 2, 4, 8];

/** Decoded bytes, or the error code: what must agree between the two paths. */
function outcome(bytes: Uint8Array, scale: JpegScale, referenceScans: boolean): string | Uint8Array {
  try {
    return decodeJpegScaled(bytes, scale, new MemoryBudget(64 * 1024 * 1024), { referenceScans }).data;
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return error.code;
  }
}

function expectSamePaths(bytes: Uint8Array): void {
  for (const scale of SCALES) {
    const fast = outcome(bytes, scale, false);
    const reference = outcome(bytes, scale, true);
    if (typeof reference === 'string') expect(fast).toBe(reference);
    else expect(Buffer.from(fast as Uint8Array).equals(Buffer.from(reference))).toBe(true);
  }
}

describe('fast scan decoding equals the reference decoder', () => {
  it.each([
    'color-640x427.jpg',
    'color-37x23.jpg',
    'gray-61x45.jpg',
    'baseline-422-restart-240x160.jpg',
    'cmyk-96x64.jpg',
    'orientation-6.jpg',
    'progressive-420-75x50.jpg',
    'progressive-444-restart-256x192.jpg',
    'progressive-gray-200x150.jpg',
  ])('%s at 1/1, 1/2, 1/4 and 1/8', (name) => {
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

  it('damaged scans: the same pixels or the same error code, 60 seeded damages', () => {
    const names = ['color-640x427.jpg', 'baseline-422-restart-240x160.jpg', 'progressive-444-restart-256x192.jpg'];
    for (const name of names) {
      const bytes = file(name);
      for (let seed = 1; seed <= 20; seed++) {
        expectSamePaths(seededFlips(bytes, scanStart(bytes), 1 + (seed % 4), seed));
      }
    }
  });
});

describe('the fast AC table', () => {
  it('packs value, run and bits used for short codes, marks end-of-block, leaves longer ones to the decoder', () => {
    // Codes: "0" → EOB (0x00), "10" → run 0 size 1 (0x01), "110" → run 2 size 3 (0x23), "1110" → ZRL (0xf0).
    const counts = new Uint8Array(16);
    counts[0] = 1;
    counts[1] = 1;
    counts[2] = 1;
    counts[3] = 1;
    const table = buildHuffmanTable(counts, new Uint8Array([0x00, 0x01, 0x23, 0xf0]));
    const fast = fastAcTable(table);
    const at = (bits: string): number => fast[parseInt(bits.padEnd(FAST_AC_BITS, '0'), 2)]!;
    expect(at('0')).toBe(FAST_AC_EOB * 256 + 1);
    expect(at('101')).toBe(1 * 65536 + 0 * 256 + 3); // magnitude bit 1 → +1
    expect(at('100')).toBe(-1 * 65536 + 0 * 256 + 3); // magnitude bit 0 → −1
    expect(at('110' + '010')).toBe(-5 * 65536 + 2 * 256 + 6); // 3-bit magnitude 010 → −5
    expect(at('110' + '111')).toBe(7 * 65536 + 2 * 256 + 6);
    expect(at('1110')).toBe(0); // sixteen zeros: decoded by the caller
    expect(fastAcTable(table)).toBe(fast); // built once per table
  });

  it('skip table: runs of whole coefficients, end-of-block counted as a position, stops at sixteen zeros', () => {
    const counts = new Uint8Array(16);
    counts[0] = 1;
    counts[1] = 1;
    counts[2] = 1;
    counts[3] = 1;
    const table = buildHuffmanTable(counts, new Uint8Array([0x00, 0x01, 0x23, 0xf0]));
    const skip = skipAcTable(table);
    const at = (bits: string): number => skip[parseInt(bits.padEnd(SKIP_AC_BITS, '1'), 2)]!;
    // "10"+"1" (run 0, ±1), "110"+"010" (run 2, 3 bits), then "0" end-of-block: 1 + 3 + 1 positions, 10 bits.
    expect(at('101' + '110010' + '0')).toBe(SKIP_AC_EOB | (5 << 8) | 10);
    // Two coefficients, then sixteen zeros ("1110"): the run stops before it.
    expect(at('100' + '100' + '1110')).toBe((2 << 8) | 6);
    // A coefficient whose magnitude bits do not fit in the window ends the run before it.
    expect(at('100' + '100' + '100' + '110')).toBe((3 << 8) | 9);
    expect(at('1110')).toBe(0);
  });
});
