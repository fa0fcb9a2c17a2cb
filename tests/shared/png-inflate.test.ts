// Our bounded RFC 1951 inflater against node:zlib's deflater (every level and strategy, random and structured
// data, any split of the stream into IDAT segments), hand-made corrupt streams, truncation at every byte, and
// deflate bombs that must stop at the caller's limit; then through decodePngRows with odd IDAT splits.
import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '@resnet-edge/shared/image/budget';
import { ImageError, type ImageErrorCode } from '@resnet-edge/shared/image/errors';
import { decodePngRows } from '@resnet-edge/shared/image/png/decode';
import { INFLATER_BYTES, inflateBounded, type InflateResult } from '@resnet-edge/shared/image/png/inflate';
import { ihdr, pngFromChunks } from '../helpers/big-images.ts';
import { randomBytes } from '../helpers/bytes.ts';

const LIMIT_ERROR = (): ImageError => new ImageError('inflation_limit', 'past the limit');

interface Inflated extends InflateResult {
  data: Uint8Array;
  largestPiece: number;
}

function inflate(segments: Uint8Array[], limit = Number.MAX_SAFE_INTEGER): Inflated {
  const pieces: Uint8Array[] = [];
  const result = inflateBounded(segments, limit, {
    onPiece: (piece) => pieces.push(piece.slice()),
    overLimit: LIMIT_ERROR,
  });
  const data = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) (data.set(p, at), (at += p.length));
  return { ...result, data, largestPiece: Math.max(0, ...pieces.map((p) => p.length)) };
}

function codeOf(run: () => unknown): ImageErrorCode | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (error instanceof ImageError) return error.code;
    throw error;
  }
}

/** PNG-like rows: gradients, runs, repeats at every distance up to 32 KB, some noise. */
function structuredBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const noise = randomBytes(n, 7);
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / 3000);
    if (row % 5 === 0) out[i] = (i * 7) & 0xff;
    else if (row % 5 === 1) out[i] = row & 0xff;
    else if (row % 5 === 2 && i >= 32768) out[i] = out[i - 32768]!;
    else if (row % 5 === 3) out[i] = noise[i]! & 0x0f;
    else out[i] = i >= 300 ? out[i - 1 - (noise[i]! % 300)]! : noise[i]!;
  }
  return out;
}

/** Writes bits least significant first (RFC 1951 §3.1.1); Huffman codes go most significant bit first. */
class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.acc |= ((value >>> i) & 1) << this.n;
      if (++this.n === 8) (this.bytes.push(this.acc), (this.acc = 0), (this.n = 0));
    }
    return this;
  }
  code(code: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.put((code >>> i) & 1, 1);
    return this;
  }
  done(): Uint8Array {
    return new Uint8Array(this.n ? [...this.bytes, this.acc] : this.bytes);
  }
}

/** A final dynamic block's header: HLIT 257, HDIST 1, HCLEN 4, then the code-length code lengths of 16, 17, 18, 0. */
function dynamicHeader(l16: number, l17: number, l18: number, l0: number): BitWriter {
  return new BitWriter()
    .put(1, 1)
    .put(2, 2)
    .put(0, 5)
    .put(0, 5)
    .put(0, 4)
    .put(l16, 3)
    .put(l17, 3)
    .put(l18, 3)
    .put(l0, 3);
}

describe('inflateBounded', () => {
  const inputs: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([42])],
    ['random 150 KB', randomBytes(150_000, 1)],
    ['structured 300 KB', structuredBytes(300_000)],
    ['zeros 200 KB', new Uint8Array(200_000)],
  ];
  const strategies: [string, number][] = [
    ['default', constants.Z_DEFAULT_STRATEGY],
    ['Z_FIXED', constants.Z_FIXED],
    ['Z_HUFFMAN_ONLY', constants.Z_HUFFMAN_ONLY],
    ['Z_RLE', constants.Z_RLE],
    ['Z_FILTERED', constants.Z_FILTERED],
  ];
  for (const [name, data] of inputs)
    for (const level of [0, 1, 6, 9])
      for (const [strategyName, strategy] of strategies) {
        if (level === 0 && strategy !== constants.Z_DEFAULT_STRATEGY) continue;
        it(`round-trips ${name} at level ${level}, ${strategyName}`, () => {
          const compressed = new Uint8Array(deflateRawSync(data, { level, strategy }));
          const got = inflate([compressed]);
          expect(got.complete).toBe(true);
          expect(got.produced).toBe(data.length);
          expect(Buffer.from(got.data).equals(Buffer.from(data))).toBe(true);
          expect(got.largestPiece).toBeLessThanOrEqual(64 * 1024 + 258);
        });
      }

  it('reads a stream split into segments at every byte, and into 1-byte and empty segments', () => {
    const data = structuredBytes(4000);
    for (const level of [0, 6]) {
      const compressed = new Uint8Array(deflateRawSync(data, { level }));
      for (let cut = 0; cut <= compressed.length; cut++) {
        const got = inflate([compressed.subarray(0, cut), compressed.subarray(cut)]);
        expect(Buffer.from(got.data).equals(Buffer.from(data))).toBe(true);
      }
      const oneByOne = inflate([...compressed].map((_, i) => compressed.subarray(i, i + 1)));
      expect(Buffer.from(oneByOne.data).equals(Buffer.from(data))).toBe(true);
      const withEmpties = inflate(
        [...compressed].flatMap((_, i) => [new Uint8Array(0), compressed.subarray(i, i + 1)]),
      );
      expect(Buffer.from(withEmpties.data).equals(Buffer.from(data))).toBe(true);
    }
  });

  it('a stream cut at any byte yields a prefix of the data, marked incomplete, or corrupt_image', () => {
    const data = structuredBytes(6000);
    for (const level of [0, 1, 9]) {
      const compressed = new Uint8Array(deflateRawSync(data, { level }));
      for (let cut = 0; cut < compressed.length; cut++) {
        let got: Inflated | undefined;
        const code = codeOf(() => (got = inflate([compressed.subarray(0, cut)])));
        if (code !== 'no error') {
          expect(code).toBe('corrupt_image');
          continue;
        }
        expect(got!.complete).toBe(false);
        expect(got!.produced).toBeLessThanOrEqual(data.length);
        expect(Buffer.from(got!.data).equals(Buffer.from(data.subarray(0, got!.produced)))).toBe(true);
      }
    }
  });

  it('refuses corrupt streams with corrupt_image and says why', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['block type 3', new BitWriter().put(1, 1).put(3, 2).done(), /block type 3/],
      [
        'stored length check',
        new BitWriter().put(1, 1).put(0, 2).put(0, 5).put(5, 16).put(5, 16).done(),
        /stored block’s length check/,
      ],
      [
        'distance too far back',
        // Fixed codes: literal 'a', then length 3 at distance 2 — one byte exists.
        new BitWriter()
          .put(1, 1)
          .put(1, 2)
          .code(0x30 + 0x61, 8)
          .code(1, 7)
          .code(1, 5)
          .code(0, 7)
          .done(),
        /2 bytes back/,
      ],
      [
        'over-subscribed code-length code',
        (() => {
          const w = new BitWriter().put(1, 1).put(2, 2).put(0, 5).put(0, 5).put(15, 4);
          for (let i = 0; i < 19; i++) w.put(1, 3);
          return w.done();
        })(),
        /over-subscribed code-length code/,
      ],
      [
        'a repeat with nothing before it',
        // HCLEN 4: lengths for symbols 16, 17, 18, 0 are 1, 0, 0, 1 → 0 is code "0", 16 is code "1".
        dynamicHeader(1, 0, 0, 1).code(1, 1).put(0, 2).done(),
        /repeats with nothing before/,
      ],
      [
        'code lengths past the codes',
        // Symbol 18 (11–138 zeros) twice, 138 each: 276 > 258 lengths.
        dynamicHeader(0, 0, 1, 1).code(1, 1).put(127, 7).code(1, 1).put(127, 7).done(),
        /code lengths run past/,
      ],
      [
        'no end-of-block code',
        // 258 zero lengths: every literal/length code is missing, 256 included.
        dynamicHeader(0, 0, 1, 1).code(1, 1).put(127, 7).code(1, 1).put(109, 7).done(),
        /no end-of-block code/,
      ],
    ];
    for (const [name, stream, why] of cases) {
      let message = '';
      const code = codeOf(() => {
        try {
          inflate([stream]);
        } catch (error) {
          message = (error as Error).message;
          throw error;
        }
      });
      expect(code, name).toBe('corrupt_image');
      expect(message, name).toMatch(why);
    }
  });

  it('stops a deflate bomb at the limit: the sink never sees a byte past it, whatever the ratio', () => {
    const bomb = new Uint8Array(deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 9 }));
    expect(bomb.length).toBeLessThan(100_000);
    for (const limit of [0, 100, 65_536, 1_000_000]) {
      let delivered = 0;
      const code = codeOf(() =>
        inflateBounded([bomb], limit, {
          onPiece: (piece) => (delivered += piece.length),
          overLimit: LIMIT_ERROR,
        }),
      );
      expect(code).toBe('inflation_limit');
      expect(delivered).toBeLessThanOrEqual(limit);
      expect(delivered).toBeGreaterThan(limit - 64 * 1024 - 258);
    }
    // What the inflater holds, whatever the input: its window + one piece, its tables.
    expect(INFLATER_BYTES).toBeLessThan(256 * 1024);
  });

  it('accepts output of exactly the limit', () => {
    const data = structuredBytes(100_000);
    const got = inflate([new Uint8Array(deflateRawSync(data))], data.length);
    expect(got.complete).toBe(true);
    expect(codeOf(() => inflate([new Uint8Array(deflateRawSync(data))], data.length - 1))).toBe('inflation_limit');
  });
});

describe('decodePngRows through the inflater', () => {
  const width = 97;
  const height = 61;
  const raw = new Uint8Array(height * (1 + width * 3));
  const pixels = structuredBytes(width * height * 3);
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = y % 5; // every filter type
    raw.set(pixels.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  }
  const zlib = new Uint8Array(deflateSync(raw, { level: 6 }));
  const rows = (idats: Uint8Array[]): Uint8Array => {
    const png = pngFromChunks([
      ['IHDR', ihdr(width, height, 8, 2)],
      ...idats.map((d) => ['IDAT', d] as [string, Uint8Array]),
      ['IEND', new Uint8Array(0)],
    ]);
    const out = new Uint8Array(width * height * 3);
    decodePngRows(png, new MemoryBudget(), (row, y) => out.set(row, y * width * 3));
    return out;
  };
  const reference = rows([zlib]);

  it('decodes the same rows however the zlib stream is split into IDAT chunks', () => {
    const splits: [string, Uint8Array[]][] = [
      ['header split after its first byte', [zlib.subarray(0, 1), zlib.subarray(1)]],
      ['header alone, then data', [zlib.subarray(0, 2), zlib.subarray(2)]],
      [
        'empty IDATs between',
        [zlib.subarray(0, 5), new Uint8Array(0), zlib.subarray(5, 9), new Uint8Array(0), zlib.subarray(9)],
      ],
      ['1-byte IDATs', [...zlib].map((_, i) => zlib.subarray(i, i + 1))],
      ['without the adler-32', [zlib.subarray(0, zlib.length - 4)]],
    ];
    for (const [name, idats] of splits)
      expect(Buffer.from(rows(idats)).equals(Buffer.from(reference)), name).toBe(true);
  });

  it('names a truncated stream and a stream that inflates past the image', () => {
    expect(codeOf(() => rows([zlib.subarray(0, zlib.length >> 1)]))).toBe('corrupt_image');
    const longer = new Uint8Array(deflateSync(new Uint8Array(raw.length + 1), { level: 6 }));
    expect(codeOf(() => rows([longer]))).toBe('inflation_limit');
  });
});
