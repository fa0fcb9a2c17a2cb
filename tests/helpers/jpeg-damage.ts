// Generated and damaged JPEGs for the decoder parity suites (scan-fast vs scan.ts, jpeg.wasm vs scan-fast): seeded
// so that a failure names a file that can be made again.
import jpeg from 'jpeg-js';

/** Seeded noise: large coefficients with long codes and magnitudes, the table-miss paths. */
export function noiseJpeg(width: number, height: number, quality: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    data[i] = (seed >> 16) & 255;
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, quality).data);
}

/** `flips` seeded single-bit flips at or after offset `from`, never in the last two bytes (the EOI marker). */
export function seededFlips(bytes: Uint8Array, from: number, flips: number, seed: number): Uint8Array {
  const out = bytes.slice();
  let s = seed;
  for (let i = 0; i < flips; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    const at = from + (s % (out.length - 2 - from));
    out[at] = out[at]! ^ (1 << (s % 8));
  }
  return out;
}

/** Offset just past the first SOS segment: where the entropy-coded data begins. */
export function scanStart(bytes: Uint8Array): number {
  for (let i = 2; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xda) return i + 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  throw new Error('no scan');
}
