// The WebAssembly inflater and unfilter (shared/wasm/inflate.wasm, host png/inflate-wasm.ts) against inflate.ts and
// scanline.ts, through decodePngRows: every PNG fixture, every colour type and bit depth, interlaced or not, every
// filter type, stored/fixed/dynamic blocks, photo-like ImageMagick files, IDAT splits, truncation at many bytes,
// corrupt streams and deflate bombs. The same rows out, or the same error: code and message.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, crc32 as zlibCrc32, deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { deflateBombPng, ihdr, pngFromChunks } from '../helpers/big-images.ts';
import { MemoryBudget } from '@resnet-edge/shared/image/budget';
import { decodeImage } from '@resnet-edge/shared/image/decode';
import { ImageError } from '@resnet-edge/shared/image/errors';
import { crc32 } from '@resnet-edge/shared/image/png/chunks';
import { decodePngRows } from '@resnet-edge/shared/image/png/decode';
import { toOutputRow } from '@resnet-edge/shared/image/png/scanline';
import {
  pngInflateWasmBytes,
  pngInflateWasmMemoryBytes,
  setPngInflateWasmModule,
} from '@resnet-edge/shared/image/png/inflate-wasm';
import { randomBytes } from '../helpers/bytes.ts';

const REPO = join(import.meta.dirname, '..', '..');
const INFLATE_WASM = new WebAssembly.Module(readFileSync(join(REPO, 'shared', 'wasm', 'inflate.wasm')));

afterEach(() => setPngInflateWasmModule(null));

/** Every row decodePngRows hands out, concatenated with its y, the budget's peak; or the error's code and message. */
function outcome(
  png: Uint8Array,
  wasm: WebAssembly.Module | null,
  wanted?: (y: number) => boolean,
): { rows: Buffer; peak: number } | string {
  setPngInflateWasmModule(wasm);
  const budget = new MemoryBudget(64 * 1024 * 1024);
  const parts: Buffer[] = [];
  try {
    decodePngRows(png, budget, (row, y) => parts.push(Buffer.from([y & 0xff, y >> 8]), Buffer.from(row)), wanted);
    expect(budget.inUse).toBe(0);
    return { rows: Buffer.concat(parts), peak: budget.peak };
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return `${error.code}: ${error.message}`;
  } finally {
    setPngInflateWasmModule(null);
  }
}

function expectSamePaths(png: Uint8Array, name = '', wanted?: (y: number) => boolean): void {
  const wasm = outcome(png, INFLATE_WASM, wanted);
  const ts = outcome(png, null, wanted);
  if (typeof ts === 'string') expect(wasm, name).toBe(ts);
  else {
    expect(typeof wasm, name).toBe('object');
    if (typeof wasm === 'string') return;
    expect(wasm.rows.equals(ts.rows), name).toBe(true);
    // One scanline pair and a 68 KB input window more than the TypeScript inflater, never a copy of the file.
    expect(wasm.peak, name).toBeLessThan(ts.peak + 160 * 1024);
  }
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Raw filtered image data (filter byte first on each line), cycling through the five filter types, smooth-ish. */
function rawLines(lineBytes: number[], seed: number): Uint8Array {
  const noise = randomBytes(
    lineBytes.reduce((n, b) => n + b, 0),
    seed,
  );
  const out = new Uint8Array(noise.length);
  let at = 0;
  lineBytes.forEach((n, y) => {
    out[at] = (y + seed) % 5;
    for (let i = 1; i < n; i++) out[at + i] = (noise[at + i]! & 0x0f) + ((i * 3 + y) & 0x70);
    at += n;
  });
  return out;
}

/** Line lengths of an image (every Adam7 pass when interlaced). */
function linesOf(width: number, height: number, depth: number, colorType: number, interlaced: boolean): number[] {
  const bytes = (w: number): number => 1 + Math.ceil((w * SAMPLES[colorType]! * depth) / 8);
  if (!interlaced) return Array.from({ length: height }, () => bytes(width));
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  const out: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil(Math.max(0, width - x0!) / dx!);
    const h = Math.ceil(Math.max(0, height - y0!) / dy!);
    if (w > 0) for (let i = 0; i < h; i++) out.push(bytes(w));
  }
  return out;
}

function png(
  width: number,
  height: number,
  depth: number,
  colorType: number,
  options: { interlaced?: boolean; level?: number; strategy?: number; seed?: number; idatBytes?: number } = {},
): Uint8Array {
  const { interlaced = false, level = 6, strategy = constants.Z_DEFAULT_STRATEGY, seed = 1, idatBytes } = options;
  const header = ihdr(width, height, depth, colorType);
  header[12] = interlaced ? 1 : 0;
  const zlib = new Uint8Array(
    deflateSync(rawLines(linesOf(width, height, depth, colorType, interlaced), seed), { level, strategy }),
  );
  const idats: [string, Uint8Array][] = [];
  const size = idatBytes ?? zlib.length;
  for (let at = 0; at < zlib.length; at += size) idats.push(['IDAT', zlib.subarray(at, at + size)]);
  const palette: [string, Uint8Array][] =
    colorType === 3
      ? [
          ['PLTE', randomBytes(3 * (1 << depth), 5)],
          ['tRNS', randomBytes(1 << (depth - 1), 6)],
        ]
      : [];
  return pngFromChunks([['IHDR', header], ...palette, ...idats, ['IEND', new Uint8Array(0)]]);
}

/** 8-bit RGB(A) pixels → a PNG whose rows each take the filter with the smallest sum of |residuals|. */
function photoPng(rgb: Uint8Array, width: number, height: number, alpha: boolean): Uint8Array {
  const bpp = alpha ? 4 : 3;
  const n = width * bpp;
  const raw = new Uint8Array(height * (1 + n));
  let previous = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    const line = new Uint8Array(n);
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) line[x * bpp + k] = rgb[(y * width + x) * 3 + k]!;
      if (alpha) line[x * bpp + 3] = 255 - ((x + y) & 0x3f);
    }
    let best: Uint8Array | null = null;
    let bestCost = Infinity;
    for (let filter = 0; filter < 5; filter++) {
      const out = new Uint8Array(1 + n);
      out[0] = filter;
      let cost = 0;
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? line[i - bpp]! : 0;
        const b = previous[i]!;
        const c = i >= bpp ? previous[i - bpp]! : 0;
        const p = a + b - c;
        const paeth =
          Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
            ? a
            : Math.abs(p - b) <= Math.abs(p - c)
              ? b
              : c;
        const predicted = [0, a, b, (a + b) >> 1, paeth][filter]!;
        out[1 + i] = (line[i]! - predicted) & 0xff;
        cost += Math.min(out[1 + i]!, 256 - out[1 + i]!);
      }
      if (cost < bestCost) [best, bestCost] = [out, cost];
    }
    raw.set(best!, y * (1 + n));
    previous = line;
  }
  return pngFromChunks([
    ['IHDR', ihdr(width, height, 8, alpha ? 6 : 2)],
    ['IDAT', new Uint8Array(deflateSync(raw, { level: 6 }))],
    ['IEND', new Uint8Array(0)],
  ]);
}

describe('inflate.wasm against inflate.ts + scanline.ts', () => {
  it('decodes every PNG fixture alike (or refuses it alike)', () => {
    const dirs = [join(REPO, 'tests', 'fixtures', 'images'), join(REPO, 'tests', 'fixtures', 'datasets', 'seed003')];
    let seen = 0;
    for (const dir of dirs)
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.png'))) {
        expectSamePaths(new Uint8Array(readFileSync(join(dir, name))), name);
        seen++;
      }
    expect(seen).toBeGreaterThanOrEqual(15);
  });

  const formats: [number, number[]][] = [
    [0, [1, 2, 4, 8, 16]],
    [2, [8, 16]],
    [3, [1, 2, 4, 8]],
    [4, [8, 16]],
    [6, [8, 16]],
  ];
  for (const [colorType, depths] of formats)
    for (const depth of depths)
      it(`colour type ${colorType}, ${depth}-bit, plain and interlaced, odd sizes`, () => {
        for (const interlaced of [false, true])
          for (const [w, h] of [
            [1, 1],
            [3, 5],
            [37, 23],
            [300, 41],
          ])
            expectSamePaths(png(w!, h!, depth, colorType, { interlaced, seed: w! + h! }), `${w}×${h} ${interlaced}`);
      });

  it('only the rows the caller wants, the same ones (8-bit rows are composited in wasm only when wanted)', () => {
    for (const colorType of [0, 2, 4, 6])
      for (const interlaced of [false, true]) {
        const file = png(77, 40, 8, colorType, { interlaced });
        expectSamePaths(file, `${colorType} ${interlaced}`, (y) => y % 3 === 1);
        const some = outcome(file, INFLATE_WASM, (y) => y % 3 === 1);
        expect(typeof some === 'object' && some.rows.length).toBe(13 * (2 + 77 * (colorType % 4 === 0 ? 1 : 3)));
      }
  });

  it('stored, fixed and dynamic blocks, every strategy, IDATs of any size', () => {
    const strategies = [
      constants.Z_DEFAULT_STRATEGY,
      constants.Z_FIXED,
      constants.Z_HUFFMAN_ONLY,
      constants.Z_RLE,
      constants.Z_FILTERED,
    ];
    for (const level of [0, 1, 6, 9])
      for (const strategy of strategies)
        for (const idatBytes of [undefined, 1000, 70_000])
          expectSamePaths(png(611, 97, 8, 6, { level, strategy, idatBytes }), `${level} ${strategy} ${idatBytes}`);
    for (const level of [0, 6]) expectSamePaths(png(61, 17, 8, 2, { level, idatBytes: 1 }), `1-byte IDATs ${level}`);
  });

  it('a wide image of several MB: many 64 KB pieces and input windows', () => {
    expectSamePaths(png(2500, 400, 8, 2, { level: 1 }));
    expectSamePaths(png(2500, 400, 8, 2, { level: 0, idatBytes: 8192 }));
  });

  it('a photo re-encoded as PNG with a filter chosen per row, as encoders do (RGB and RGBA)', () => {
    const jpeg = new Uint8Array(readFileSync(join(REPO, 'tests', 'fixtures', 'images', 'color-640x427.jpg')));
    const image = decodeImage(jpeg);
    for (const alpha of [false, true]) expectSamePaths(photoPng(image.data, image.width, image.height, alpha));
  });

  // bench/photos.ts's pngPhoto, when ImageMagick is installed (it is where the benches run).
  it.skipIf(!existsSync('/usr/bin/convert'))('ImageMagick photo-like PNGs (RGB and RGBA)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'png-photo-'));
    for (const rgba of [false, true]) {
      const path = join(dir, `photo-${rgba}.png`);
      const type = rgba ? ['-define', 'png:color-type=6'] : [];
      execFileSync('/usr/bin/convert', [
        '-size',
        '640x480',
        'plasma:fractal',
        '-seed',
        '3',
        '-depth',
        '8',
        ...type,
        path,
      ]);
      expectSamePaths(new Uint8Array(readFileSync(path)), path);
    }
  });

  it('truncated at many bytes: the same rows before the cut, then the same error', () => {
    for (const [level, colorType] of [
      [0, 2],
      [6, 2],
      [9, 0],
    ] as const) {
      const file = png(120, 60, 8, colorType, { level });
      const iend = file.length - 12;
      const idatStart = 8 + 25 + 8;
      for (let cut = idatStart; cut < iend; cut += level === 0 ? 37 : 7) {
        // Cut the IDAT's data (its length and CRC then no longer match: rebuild the chunk around the cut data).
        const data = file.subarray(idatStart, idatStart + (cut - idatStart));
        const header = ihdr(120, 60, 8, colorType);
        const cutPng = pngFromChunks([
          ['IHDR', header],
          ['IDAT', data],
          ['IEND', new Uint8Array(0)],
        ]);
        expectSamePaths(cutPng, `cut ${cut}`);
      }
    }
  });

  it('corrupt streams: bytes flipped anywhere give the same rows or the same error', () => {
    const file = png(200, 50, 8, 2, { level: 6 });
    const zlib = new Uint8Array(deflateSync(rawLines(linesOf(200, 50, 8, 2, false), 1), { level: 6 }));
    const noise = randomBytes(400, 9);
    for (let i = 0; i < 200; i++) {
      const damaged = zlib.slice();
      const at = 2 + (((noise[2 * i]! << 8) | noise[2 * i + 1]!) % (zlib.length - 2));
      damaged[at] = damaged[at]! ^ (1 << (i % 8));
      expectSamePaths(
        pngFromChunks([
          ['IHDR', ihdr(200, 50, 8, 2)],
          ['IDAT', damaged],
          ['IEND', new Uint8Array(0)],
        ]),
        `flip ${at}`,
      );
    }
    expect(typeof outcome(file, INFLATE_WASM)).toBe('object');
  });

  it('an unknown filter type is refused alike', () => {
    const raw = rawLines(linesOf(50, 10, 8, 2, false), 1);
    raw[151 * 4] = 7;
    const bad = pngFromChunks([
      ['IHDR', ihdr(50, 10, 8, 2)],
      ['IDAT', new Uint8Array(deflateSync(raw))],
      ['IEND', new Uint8Array(0)],
    ]);
    expect(outcome(bad, INFLATE_WASM)).toMatch(/^corrupt_image: .*filter type 7/);
    expectSamePaths(bad);
  });

  it('a deflate bomb stops at the image size alike, and the wasm memory stays bounded', () => {
    for (const inflated of [3, 100_000, 64 * 1024 * 1024]) {
      const bomb = deflateBombPng(inflated); // a 1×1 gray image needs 2 bytes
      expect(outcome(bomb, INFLATE_WASM)).toMatch(/^inflation_limit: /);
      expectSamePaths(bomb);
    }
    const longer = rawLines(linesOf(300, 200, 8, 2, false), 3);
    const extra = new Uint8Array(longer.length + 1);
    extra.set(longer);
    const over = pngFromChunks([
      ['IHDR', ihdr(300, 200, 8, 2)],
      ['IDAT', new Uint8Array(deflateSync(extra))],
      ['IEND', new Uint8Array(0)],
    ]);
    expect(outcome(over, INFLATE_WASM)).toMatch(/^inflation_limit: /);
    expectSamePaths(over);
    // Tables, window, piece and input window, two scanlines: well under 1 MB however large the file.
    expect(pngInflateWasmMemoryBytes()).toBeLessThanOrEqual(320 * 1024);
  });

  it("charges the wasm memory it uses to the request's budget", () => {
    const file = png(1000, 20, 8, 6);
    setPngInflateWasmModule(INFLATE_WASM);
    const budget = new MemoryBudget(64 * 1024 * 1024);
    decodePngRows(file, budget, () => {});
    // Tables, window, piece and input window (≈ 0.23 MB), two scanlines and the composited row, the row buffer.
    expect(budget.peak).toBeGreaterThanOrEqual(pngInflateWasmBytes(1 + 4000, 4) + 3000);
    expect(budget.peak).toBeLessThanOrEqual(pngInflateWasmMemoryBytes() + 3000);
    // A budget too small for that memory refuses before anything is decoded.
    const small = new MemoryBudget(pngInflateWasmBytes(1 + 4000, 4) - 1);
    expect(() => decodePngRows(file, small, () => {})).toThrow(/over the per-image budget/);
  });

  it('a very wide image grows the memory, which is then dropped rather than kept', () => {
    outcome(png(300_000, 2, 16, 6, { level: 1 }), INFLATE_WASM);
    expect(pngInflateWasmMemoryBytes()).toBe(0);
    outcome(png(100, 2, 8, 2), INFLATE_WASM);
    expect(pngInflateWasmMemoryBytes()).toBeGreaterThan(0);
    expect(pngInflateWasmMemoryBytes()).toBeLessThanOrEqual(320 * 1024);
  });
});

describe("toOutputRow's 8-bit rows (the copy and composite that follow the wasm unfilter)", () => {
  it('equal the per-sample rule: samples as they are, alpha composited over white', () => {
    const width = 300;
    for (const [colorType, samples, colour] of [
      [0, 1, 1],
      [2, 3, 3],
      [4, 2, 1],
      [6, 4, 3],
    ] as const) {
      const line = randomBytes(1 + width * samples, colorType + 1);
      for (let x = 0; x < width; x += 3) if (samples > colour) line[1 + x * samples + colour] = 255;
      const format = { width, height: 1, bitDepth: 8, colorType, interlaced: false, palette: null };
      const out = new Uint8Array(width * colour);
      toOutputRow(format, line, width, out);
      const expected = new Uint8Array(width * colour);
      for (let x = 0; x < width; x++) {
        const a = samples > colour ? line[1 + x * samples + colour]! : 255;
        for (let k = 0; k < colour; k++) {
          const c = line[1 + x * samples + k]!;
          expected[x * colour + k] = Math.floor((c * a + 255 * (255 - a) + 127) / 255);
        }
      }
      expect(Buffer.from(out).equals(Buffer.from(expected)), `colour type ${colorType}`).toBe(true);
    }
  });
});

describe('the chunks’ CRC-32, sliced by 8', () => {
  it('is node:zlib’s crc32 at every start and length (the 8-byte steps and the byte-wise tail)', () => {
    const bytes = randomBytes(300, 11);
    for (let from = 0; from < 20; from++)
      for (let to = from; to <= bytes.length; to += 1 + (to % 7))
        expect(crc32(bytes, from, to), `${from}–${to}`).toBe(zlibCrc32(bytes.subarray(from, to)));
    const large = randomBytes(1 << 20, 12);
    expect(crc32(large, 0, large.length)).toBe(zlibCrc32(large));
  });

  it('refuses a chunk whose data or CRC was changed, on both paths', () => {
    const file = png(64, 64, 8, 2, { idatBytes: 3000 });
    for (const at of [8 + 25 + 8 + 1, 8 + 25 + 8 + 2999, 8 + 25 + 8 + 3000 + 2, 20]) {
      const damaged = file.slice();
      damaged[at] = damaged[at]! ^ 0x10;
      expect(outcome(damaged, INFLATE_WASM), `byte ${at}`).toMatch(/^corrupt_image: PNG is corrupt: CRC mismatch/);
      expectSamePaths(damaged);
    }
  });
});
