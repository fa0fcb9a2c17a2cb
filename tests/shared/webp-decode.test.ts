// The WebP decoder against libwebp: every fixture's RGBA equals `dwebp -nofancy -pam` byte for byte (lossy
// included: VP8 is bit-exact by spec and both use the point-sampling upsampler), headers are read without
// decoding, memory follows the budget (a 12 MP lossless picture streams through 4 MiB), and hostile files —
// truncated, lying sizes, absurd prefix codes, huge declared sizes, animation — are refused with their code. Fixtures: scripts/make-webp-fixtures.sh.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { compositeOverWhite } from '@resnet-edge/shared/image/alpha';
import { MemoryBudget } from '@resnet-edge/shared/image/budget';
import { decodeImage, readImageHeader } from '@resnet-edge/shared/image/decode';
import { ImageError, type ImageErrorCode } from '@resnet-edge/shared/image/errors';
import { decodeWebpRgbaRows } from '@resnet-edge/shared/image/webp/decode';
import { preprocess, preprocessImage } from '@resnet-edge/shared/preprocess/index';
import { ResizeCropSink } from '@resnet-edge/shared/preprocess/resize-crop';
import { preprocessSpecSchema } from '@resnet-edge/shared/preprocess/spec';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const WEBPS = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.webp'))
  .sort();

function expected(name: string): { width: number; height: number; rgba: Uint8Array } {
  const path = join(FIXTURES, 'webp-expected', name.replace('.webp', '.pam.gz'));
  const pam = gunzipSync(new Uint8Array(readFileSync(path)));
  const head = new TextDecoder().decode(pam.subarray(0, 120));
  const width = Number(/WIDTH (\d+)/.exec(head)![1]);
  const height = Number(/HEIGHT (\d+)/.exec(head)![1]);
  expect(/DEPTH 4/.test(head) && /TUPLTYPE RGB_ALPHA/.test(head)).toBe(true);
  const start = head.indexOf('ENDHDR\n') + 7;
  return { width, height, rgba: pam.subarray(start) };
}

interface Decoded {
  width: number;
  height: number;
  rgba: Uint8Array;
  kind: string;
}

function decodeRgba(bytes: Uint8Array, budget = new MemoryBudget()): Decoded {
  let rgba = new Uint8Array(0);
  const info = decodeWebpRgbaRows(bytes, budget, (row, y) => {
    if (rgba.length === 0) rgba = new Uint8Array(row.length * readImageHeader(bytes).height);
    rgba.set(row, y * row.length);
  });
  return { ...info, rgba };
}

function codeOf(run: () => unknown): ImageErrorCode | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return error.code;
  }
}

const u32le = (bytes: Uint8Array, at: number, v: number): void => {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, v, true);
};

/** A RIFF/WEBP file around the given chunks (type + payload), sizes and padding right. */
function riff(...chunks: [string, Uint8Array][]): Uint8Array {
  const parts: number[] = [];
  for (const [type, data] of chunks) {
    const n = data.length;
    parts.push(...[...type].map((c) => c.charCodeAt(0)), n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
    for (const b of data) parts.push(b);
    if (data.length & 1) parts.push(0);
  }
  const out = new Uint8Array(12 + parts.length);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  u32le(out, 4, 4 + parts.length);
  out.set([0x57, 0x45, 0x42, 0x50], 8);
  out.set(parts, 12);
  return out;
}

/** LSB-first bit writer for hand-made VP8L streams. */
class Bits {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.acc |= ((value >>> i) & 1) << this.n++;
      if (this.n === 8) (this.bytes.push(this.acc), (this.acc = 0), (this.n = 0));
    }
    return this;
  }
  done(): Uint8Array {
    return new Uint8Array(this.n ? [...this.bytes, this.acc] : this.bytes);
  }
}

/** The VP8L header of a width×height picture. */
const vp8lHeader = (width: number, height: number): Bits =>
  new Bits()
    .put(0x2f, 8)
    .put(width - 1, 14)
    .put(height - 1, 14)
    .put(0, 1)
    .put(0, 3);

describe('WebP pixels equal libwebp (dwebp -nofancy -pam)', () => {
  it('has the fixtures it claims (lossy, lossy + alpha, lossless)', () => {
    expect(WEBPS.length).toBeGreaterThanOrEqual(16);
  });

  it.each(WEBPS)('%s', (name) => {
    const want = expected(name);
    const got = decodeRgba(file(name));
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    expect(got.kind).toBe(name.includes('lossless') ? 'lossless' : 'lossy');
    expect(Buffer.from(got.rgba).equals(Buffer.from(want.rgba))).toBe(true);
  });

  it.each(WEBPS)('%s through decodeImage: RGB, transparency composited over white as for PNG', (name) => {
    const { width, height, rgba } = expected(name);
    const image = decodeImage(file(name));
    expect([image.width, image.height, image.channels]).toEqual([width, height, 3]);
    const want = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < 3; k++) want[p * 3 + k] = compositeOverWhite(rgba[p * 4 + k]!, rgba[p * 4 + 3]!);
    }
    expect(Buffer.from(image.data).equals(Buffer.from(want))).toBe(true);
  });

  it('has transparent pixels in the alpha fixtures', () => {
    const alphaFixtures = [
      'webp-lossy-alpha-40x30.webp',
      'webp-lossy-alpha-raw-40x30.webp',
      'webp-lossless-rgba-40x30.webp',
    ];
    for (const name of alphaFixtures) {
      const { rgba } = expected(name);
      expect(rgba.some((_, i) => i % 4 === 3 && rgba[i]! < 255)).toBe(true);
    }
  });
});

describe('WebP headers', () => {
  it.each([
    ['webp-lossy-37x23.webp', 37, 23],
    ['webp-lossless-50x40.webp', 50, 40],
    ['webp-lossy-alpha-40x30.webp', 40, 30],
    ['sample-32x24.webp', 32, 24],
  ])('%s → %d×%d without decoding', (name, width, height) => {
    expect(readImageHeader(file(name))).toEqual({ format: 'webp', width, height });
  });

  it('applies the pixel limit to a 16383×16383 header on a tiny body, lossy and lossless', () => {
    const lossy = file('webp-lossy-37x23.webp');
    const frame = lossy.subarray(20);
    frame[6] = 0xff;
    frame[7] = 0x3f;
    frame[8] = 0xff;
    frame[9] = 0x3f;
    expect(readImageHeader(lossy)).toEqual({ format: 'webp', width: 16383, height: 16383 });
    expect(codeOf(() => decodeImage(lossy))).toBe('too_many_pixels');
    // Streamed past the pixel limit, the body runs out in the first macroblock row.
    expect(codeOf(() => decodeWebpRgbaRows(lossy, new MemoryBudget(), () => undefined))).toBe('corrupt_image');

    const lossless = riff(['VP8L', vp8lHeader(16384, 16384).put(0, 1).put(0, 1).done()]);
    expect(readImageHeader(lossless)).toEqual({ format: 'webp', width: 16384, height: 16384 });
    expect(codeOf(() => decodeImage(lossless))).toBe('too_many_pixels');
    // 1 GiB of ARGB is refused by the budget before it exists.
    const budget = new MemoryBudget();
    expect(codeOf(() => decodeImage(lossless, { maxPixels: 300e6, budget }))).toBe('over_memory_budget');
  });

  it('refuses animation with its own code, from the VP8X flag or an ANIM chunk', () => {
    const vp8x = new Uint8Array(10);
    vp8x[0] = 0x02; // animation
    const anim = riff(['VP8X', vp8x], ['ANIM', new Uint8Array(6)]);
    expect(codeOf(() => readImageHeader(anim))).toBe('animated_image');
    expect(() => readImageHeader(anim)).toThrow(/animated WebP is not supported/);
    vp8x[0] = 0;
    expect(codeOf(() => readImageHeader(riff(['VP8X', vp8x], ['ANMF', new Uint8Array(16)])))).toBe('animated_image');
  });
});

describe('WebP memory', () => {
  it('streams lossy pictures: peak memory is a few rows, not the picture', () => {
    const budget = new MemoryBudget();
    const { width, height } = decodeRgba(file('webp-lossy-photo-120x80.webp'), budget);
    expect(budget.peak).toBeLessThan(width * height); // under 1 byte a pixel; RGBA would be 4
    expect(budget.inUse).toBe(0);
  });

  it('streams a 12 MP lossless picture through a ring of coded rows: 4 MiB, not 46 MB, and libwebp’s pixels', () => {
    const bytes = new Uint8Array(
      readFileSync(join(import.meta.dirname, 'fixtures/webp-lossless-blocks-4000x3000.webp')),
    );
    const budget = new MemoryBudget(); // the worker's 32 MiB: the whole ARGB picture would need 45.8 MiB
    const hash = createHash('sha256');
    let rows = 0;
    const info = decodeWebpRgbaRows(bytes, budget, (row, y) => {
      expect(y).toBe(rows++);
      hash.update(row);
    });
    expect(info).toEqual({ width: 4000, height: 3000, kind: 'lossless' });
    expect(rows).toBe(3000);
    // sha256 of `dwebp -nofancy -pam`'s RGBA (scripts/make-webp-fixtures.sh prints it).
    expect(hash.digest('hex')).toBe('a000a87d351eda904744e95a165ed1356a6c83b48f5f782dd9f2e69fae8c441c');
    expect(budget.peak).toBeGreaterThan(4 * (1 << 20) - 480); // the ring holds every pixel a reference reaches
    expect(budget.peak).toBeLessThan(4.5 * (1 << 20));
    expect(budget.inUse).toBe(0);
    expect(codeOf(() => decodeWebpRgbaRows(bytes, new MemoryBudget(4 << 20), () => {}))).toBe('over_memory_budget');
    const spec = preprocessSpecSchema.parse({
      colorMode: 'rgb',
      resizeShorter: 72,
      resizeAlgorithm: 'bilinear',
      crop: { height: 64, width: 64 },
      normalize: { kind: 'scale', scale: 1, offset: 0 },
    });
    expect(preprocess(bytes, spec).shape).toEqual([1, 64, 64, 3]);
  });

  it('charges the lossless ARGB picture (4 bytes a pixel) and refuses a budget that cannot hold it', () => {
    const budget = new MemoryBudget();
    decodeRgba(file('webp-lossless-50x40.webp'), budget);
    expect(budget.peak).toBeGreaterThanOrEqual(50 * 40 * 4); // small: the ring is the whole picture
    expect(budget.inUse).toBe(0);
    const small = new MemoryBudget(50 * 40 * 4);
    expect(codeOf(() => decodeRgba(file('webp-lossless-50x40.webp'), small))).toBe('over_memory_budget');
  });

  it('feeds preprocess() with the same tensor as decoding first and resizing after (rows it skips included)', () => {
    // preprocess() converts only the rows the resize reads; decodeImage() converts all of them.
    const specs = [
      { resizeShorter: 36, crop: { height: 32, width: 32 }, colorMode: 'rgb' },
      { resizeShorter: 9, crop: { height: 7, width: 7 }, colorMode: 'rgb' },
      { resizeShorter: 12, crop: { height: 12, width: 12 }, colorMode: 'grayscale' },
    ].map((s) =>
      preprocessSpecSchema.parse({
        ...s,
        resizeAlgorithm: 'bilinear',
        normalize: { kind: 'scale', scale: 1, offset: 0 },
      }),
    );
    for (const name of WEBPS) {
      for (const spec of specs) {
        const { height, width } = readImageHeader(file(name));
        if (Math.min(height, width) < spec.resizeShorter) continue;
        const result = preprocess(file(name), spec);
        expect(result.tensor, `${name} → ${spec.resizeShorter}`).toEqual(
          preprocessImage(decodeImage(file(name)), spec),
        );
      }
    }
  });

  it('lets a streaming decoder skip only the rows no output pixel reads', () => {
    const budget = new MemoryBudget();
    const sink = new ResizeCropSink(10, 100, 1, 4, { width: 4, height: 4 }, budget);
    const needed = Array.from({ length: 100 }, (_, y) => sink.needs(y));
    expect(needed.filter(Boolean).length).toBeLessThanOrEqual(8);
    const first = needed.indexOf(true);
    expect(() => sink.skipTo(first + 1)).toThrow(/needed/);
    const other = new ResizeCropSink(10, 100, 1, 4, { width: 4, height: 4 }, budget);
    for (let y = 0; y < 100; y++) {
      if (!needed[y]) continue;
      other.skipTo(y);
      other.push(new Uint8Array(10).fill(y));
    }
    other.skipTo(100);
    expect(other.finish().data.length).toBe(16);
  });
});

describe('hostile WebP files get a coded refusal', () => {
  it.each(WEBPS)('%s cut anywhere → corrupt_image', (name) => {
    const bytes = file(name);
    for (const keep of [12, 20, 30, Math.floor(bytes.length / 2), bytes.length - 1]) {
      expect(codeOf(() => decodeImage(bytes.subarray(0, keep)))).toBe('corrupt_image');
      // The same cut with every size fixed up: the container is consistent, the bitstream ends early.
      const cut = bytes.slice(0, keep);
      // (Not the last byte: it may be the RIFF padding after an odd-sized chunk, which nothing needs.)
      if (keep >= 20 && keep < bytes.length - 1) {
        u32le(cut, 4, keep - 8);
        for (let at = 12; at + 8 <= keep;) {
          const size = new DataView(cut.buffer).getUint32(at + 4, true);
          if (at + 8 + size > keep) {
            u32le(cut, at + 4, keep - at - 8);
            break;
          }
          at += 8 + size + (size & 1);
        }
        expect(codeOf(() => decodeImage(cut))).toBe('corrupt_image');
      }
    }
  });

  it('refuses chunk sizes that lie, and a first partition past the end', () => {
    const bytes = file('webp-lossy-37x23.webp');
    const lying = bytes.slice();
    u32le(lying, 16, bytes.length); // the VP8 chunk claims more than the file
    expect(() => decodeImage(lying)).toThrow(/chunk "VP8 " claims/);
    const partition = bytes.slice();
    const tag = partition[20]! | (partition[21]! << 8) | (partition[22]! << 16);
    const huge = (tag & 0x1f) | (0x7ffff << 5);
    partition.set([huge & 0xff, (huge >> 8) & 0xff, (huge >> 16) & 0xff], 20);
    expect(() => decodeImage(partition)).toThrow(/first partition claims/);
    // Eight DCT partitions: the size table after the first partition says where each starts.
    const eight = file('webp-lossy-8-partitions-120x80.webp');
    const table = 20 + 10 + ((eight[20]! | (eight[21]! << 8) | (eight[22]! << 16)) >>> 5);
    const lyingTable = eight.slice();
    lyingTable.set([0xff, 0xff, 0x7f], table + 3); // partition 1 claims 8 MB
    expect(() => decodeImage(lyingTable)).toThrow(/DCT partition 1 claims 8388607 bytes/);
  });

  it('refuses VP8L colour caches over 11 bits and prefix codes that are not codes', () => {
    const cache12 = riff(['VP8L', vp8lHeader(4, 4).put(0, 1).put(1, 1).put(12, 4).done()]);
    expect(() => decodeImage(cache12)).toThrow(/colour cache of 12 bits/);
    // A normal code whose code-length code gives every one of 4 symbols length 1: over-subscribed.
    const lengths = vp8lHeader(4, 4).put(0, 1).put(0, 1).put(0, 1).put(0, 1).put(1, 3).put(1, 3).put(1, 3).put(1, 3);
    const over = riff(['VP8L', lengths.done()]);
    expect(codeOf(() => decodeImage(over))).toBe('corrupt_image');
  });

  it('refuses 65,536 prefix-code groups from the budget, not from the heap', () => {
    // Entropy image of one pixel whose red and green say group 65535, then one-symbol codes (4 bits each).
    const bits = vp8lHeader(64, 64).put(0, 1).put(0, 1).put(1, 1).put(7, 3); // no transform, no cache, meta codes
    bits.put(0, 1); // the entropy image: no cache
    // Green, red, blue, alpha, distance.
    for (const symbol of [255, 255, 0, 0, 0]) bits.put(1, 1).put(0, 1).put(1, 1).put(symbol, 8);
    // 102 bits so far: two 11-bit and one 4-bit one-symbol code bring the stream to a byte boundary (128 bits).
    bits.put(1, 1).put(0, 1).put(1, 1).put(0, 8).put(1, 1).put(0, 1).put(1, 1).put(0, 8).put(1, 4);
    const head = bits.done();
    expect(head.length).toBe(16);
    const body = new Uint8Array(head.length + 200_000).fill(0x11); // "1,0,0,0" twice a byte: one-symbol codes
    body.set(head);
    const budget = new MemoryBudget();
    expect(codeOf(() => decodeImage(riff(['VP8L', body]), { budget }))).toBe('over_memory_budget');
    expect(budget.inUse).toBeLessThanOrEqual(budget.limitBytes);
  });

  it('never throws anything but an ImageError on damaged files', () => {
    let state = 12345;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const seen = new Set<string>();
    for (const name of WEBPS) {
      const original = file(name);
      for (let i = 0; i < 40; i++) {
        const bytes = original.slice();
        const flips = 1 + rand(8);
        for (let f = 0; f < flips; f++) bytes[12 + rand(bytes.length - 12)]! ^= 1 << rand(8);
        seen.add(codeOf(() => decodeImage(bytes, { budget: new MemoryBudget() })));
      }
    }
    expect(seen.has('corrupt_image')).toBe(true);
  });
});
