// VP8L lossless bitstream → ARGB pixels (RFC 9649). The whole image has to exist at once (transforms and
// backward references reach anywhere above), so its 4 bytes a pixel — and every sub-image and prefix-code
// table — are charged to the MemoryBudget before they are allocated; a file too big for it is refused.
import type { MemoryBudget } from '../../budget.ts';
import { ImageError } from '../../errors.ts';
import { LosslessBitReader } from './bit-reader.ts';
import { PrefixCode, readPrefixCode } from './prefix-code.ts';
import { addPixels, undoColorIndexing, undoColorTransform, undoPredictor, undoSubtractGreen } from './transforms.ts';

const SIGNATURE = 0x2f;
const LITERALS = 256;
const LENGTH_CODES = 24;
const DISTANCE_CODES = 40;
const MAX_CACHE_BITS = 11;
const CACHE_MULTIPLIER = 0x1e35a7bd;
const GROUP_OVERHEAD = 1024;

/** (dy << 4) | (8 − dx) for the 120 short distance codes (§4.2.2), nearest neighbours first. */
const PLANE_CODES = new Uint8Array([
  0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36,
  0x3a, 0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45, 0x4b, 0x34,
  0x3c, 0x03, 0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67,
  0x69, 0x12, 0x1e, 0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e, 0x78, 0x01, 0x77, 0x79,
  0x53, 0x5d, 0x11, 0x1f, 0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b, 0x31, 0x3f, 0x63, 0x6d, 0x52,
  0x5e, 0x00, 0x74, 0x7c, 0x41, 0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d, 0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61,
  0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70,
]);

export interface LosslessImage {
  width: number;
  height: number;
  /** 0xAARRGGBB, row-major; charged to the budget (the caller frees `argb.byteLength`). */
  argb: Uint32Array;
}

function corrupt(message: string): ImageError {
  return new ImageError('corrupt_image', `WebP lossless data is corrupt: ${message}`);
}

interface Group {
  green: PrefixCode;
  red: PrefixCode;
  blue: PrefixCode;
  alpha: PrefixCode;
  distance: PrefixCode;
}

class Decoder {
  private held = 0;

  constructor(
    private readonly br: LosslessBitReader,
    private readonly budget: MemoryBudget,
  ) {}

  private pixels(count: number, what: string): Uint32Array {
    this.budget.charge(count * 4, what);
    return new Uint32Array(count);
  }

  private free(buffer: Uint32Array): void {
    this.budget.free(buffer);
  }

  private readGroup(cacheSize: number): Group {
    const br = this.br;
    const group = {
      green: readPrefixCode(br, LITERALS + LENGTH_CODES + cacheSize),
      red: readPrefixCode(br, LITERALS),
      blue: readPrefixCode(br, LITERALS),
      alpha: readPrefixCode(br, LITERALS),
      distance: readPrefixCode(br, DISTANCE_CODES),
    };
    // The tables plus what the five objects cost the engine, so 65,536 tiny groups are counted too.
    const { green, red, blue, alpha, distance } = group;
    const bytes = GROUP_OVERHEAD + green.bytes + red.bytes + blue.bytes + alpha.bytes + distance.bytes;
    this.budget.charge(bytes, 'WebP lossless prefix codes');
    this.held += bytes;
    return group;
  }

  private prefixValue(symbol: number): number {
    if (symbol < 4) return symbol + 1;
    const extra = (symbol - 2) >> 1;
    return ((2 + (symbol & 1)) << extra) + this.br.read(extra) + 1;
  }

  /** One entropy-coded image (§5): the main image when `main`, else a transform's or the entropy sub-image. */
  decodeStream(width: number, height: number, main: boolean): Uint32Array {
    const br = this.br;
    let cacheBits = 0;
    if (br.read(1)) {
      cacheBits = br.read(4);
      if (cacheBits < 1 || cacheBits > MAX_CACHE_BITS) {
        corruptThrow(`colour cache of ${cacheBits} bits (1..11 allowed)`);
      }
    }
    const cacheSize = cacheBits > 0 ? 1 << cacheBits : 0;
    let groupBits = 0;
    let groupsWide = 0;
    let groupOf: Uint32Array | null = null;
    let groupCount = 1;
    if (main && br.read(1)) {
      groupBits = br.read(3) + 2;
      groupsWide = Math.ceil(width / (1 << groupBits));
      const entropy = this.decodeStream(groupsWide, Math.ceil(height / (1 << groupBits)), false);
      for (let i = 0; i < entropy.length; i++) {
        entropy[i] = (entropy[i]! >>> 8) & 0xffff;
        if (entropy[i]! + 1 > groupCount) groupCount = entropy[i]! + 1;
      }
      groupOf = entropy;
    }
    const groups: Group[] = [];
    for (let i = 0; i < groupCount; i++) groups.push(this.readGroup(cacheSize));

    const out = this.pixels(width * height, main ? 'WebP lossless image (ARGB)' : 'WebP lossless sub-image');
    const cache = cacheSize > 0 ? new Uint32Array(cacheSize) : null;
    const cacheShift = 32 - cacheBits;
    const total = width * height;
    const mask = (1 << groupBits) - 1;
    let group = groups[0]!;
    let x = 0;
    let y = 0;
    let pos = 0;
    let cached = 0; // every pixel enters the cache in order: lazily, just before the next cache read
    while (pos < total) {
      if (groupOf !== null && (x & mask) === 0) {
        group = groups[groupOf[(y >> groupBits) * groupsWide + (x >> groupBits)]!]!;
      }
      const green = group.green.read(br);
      if (green < LITERALS) {
        const red = group.red.read(br);
        const blue = group.blue.read(br);
        const alpha = group.alpha.read(br);
        out[pos++] = ((alpha << 24) | (red << 16) | (green << 8) | blue) >>> 0;
        if (++x === width) {
          x = 0;
          y++;
        }
      } else if (green < LITERALS + LENGTH_CODES) {
        const length = this.prefixValue(green - LITERALS);
        const distanceCode = this.prefixValue(group.distance.read(br));
        let distance: number;
        if (distanceCode > 120) distance = distanceCode - 120;
        else {
          const plane = PLANE_CODES[distanceCode - 1]!;
          distance = (plane >> 4) * width + 8 - (plane & 0xf);
          if (distance < 1) distance = 1;
        }
        if (distance > pos) corruptThrow(`a backward reference reaches ${distance} pixels back from pixel ${pos}`);
        if (length > total - pos) corruptThrow(`a backward reference copies ${length} pixels past the image's end`);
        if (distance >= length) out.copyWithin(pos, pos - distance, pos - distance + length);
        else for (let k = 0; k < length; k++) out[pos + k] = out[pos + k - distance]!; // overlapping: a run
        pos += length;
        x += length;
        while (x >= width) {
          x -= width;
          y++;
        }
        if (groupOf && pos < total) group = groups[groupOf[(y >> groupBits) * groupsWide + (x >> groupBits)]!]!;
      } else {
        const index = green - LITERALS - LENGTH_CODES;
        if (!cache || index >= cacheSize) corruptThrow(`colour-cache symbol ${index} without such an entry`);
        while (cached < pos) {
          const px = out[cached++]!;
          cache![Math.imul(px, CACHE_MULTIPLIER) >>> cacheShift] = px;
        }
        out[pos++] = cache![index]!;
        if (++x === width) {
          x = 0;
          y++;
        }
      }
    }
    if (groupOf) this.free(groupOf);
    return out;
  }

  releaseCodes(): void {
    this.budget.release(this.held);
    this.held = 0;
  }

  /** Transforms, then the main image, then the transforms undone in reverse order (§4). */
  decodeImage(width: number, height: number): Uint32Array {
    const br = this.br;
    type Step =
      | { kind: 0 | 1; bits: number; data: Uint32Array; width: number }
      | { kind: 2; width: number }
      | { kind: 3; bits: number; palette: Uint32Array; width: number };
    const steps: Step[] = [];
    const seen = new Set<number>();
    let codedWidth = width;
    while (br.read(1)) {
      const kind = br.read(2);
      if (seen.has(kind)) corruptThrow(`transform ${kind} appears twice`);
      seen.add(kind);
      if (kind === 0 || kind === 1) {
        const bits = br.read(3) + 2;
        const data = this.decodeStream(Math.ceil(codedWidth / (1 << bits)), Math.ceil(height / (1 << bits)), false);
        steps.push({ kind, bits, data, width: codedWidth });
      } else if (kind === 2) {
        steps.push({ kind, width: codedWidth });
      } else {
        const colours = br.read(8) + 1;
        const palette = this.decodeStream(colours, 1, false);
        for (let i = 1; i < colours; i++) palette[i] = addPixels(palette[i]!, palette[i - 1]!);
        const bits = colours > 16 ? 0 : colours > 4 ? 1 : colours > 2 ? 2 : 3;
        steps.push({ kind: 3, bits, palette, width: codedWidth });
        codedWidth = Math.ceil(codedWidth / (1 << bits));
      }
    }
    let image = this.decodeStream(codedWidth, height, true);
    this.releaseCodes();
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]!;
      if (step.kind === 0 || step.kind === 1) {
        if (step.kind === 0) undoPredictor(image, step.width, height, step.bits, step.data);
        else undoColorTransform(image, step.width, height, step.bits, step.data);
        this.free(step.data);
      } else if (step.kind === 2) {
        undoSubtractGreen(image);
      } else if (step.kind === 3) {
        if (step.bits === 0) undoColorIndexing(image, step.width, image, step.width, height, 0, step.palette);
        else {
          const expanded = this.pixels(step.width * height, 'WebP lossless palette image');
          const packedWidth = Math.ceil(step.width / (1 << step.bits));
          undoColorIndexing(image, packedWidth, expanded, step.width, height, step.bits, step.palette);
          this.free(image);
          image = expanded;
        }
        this.free(step.palette);
      }
    }
    return image;
  }
}

function corruptThrow(message: string): never {
  throw corrupt(message);
}

export interface LosslessHeader {
  width: number;
  height: number;
  alphaUsed: boolean;
}

/** The 5-byte VP8L header: signature 0x2f, 14-bit width − 1, 14-bit height − 1, alpha hint, 3-bit version 0. */
export function readLosslessHeader(data: Uint8Array): LosslessHeader {
  if (data.length < 5) {
    throw new ImageError(
      'corrupt_image',
      `WebP lossless data is truncated: ${data.length} bytes, too short for its header`,
    );
  }
  if (data[0] !== SIGNATURE) throw corrupt(`signature byte 0x${data[0]!.toString(16)} is not 0x2f`);
  const bits = (data[1]! | (data[2]! << 8) | (data[3]! << 16) | (data[4]! << 24)) >>> 0;
  const version = bits >>> 29;
  if (version !== 0) throw corrupt(`version ${version} (only 0 exists)`);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alphaUsed: ((bits >>> 28) & 1) === 1 };
}

/** A whole VP8L chunk (header included) → its ARGB pixels. */
export function decodeLossless(data: Uint8Array, budget: MemoryBudget): LosslessImage {
  const { width, height } = readLosslessHeader(data);
  const decoder = new Decoder(new LosslessBitReader(data, 5), budget);
  return { width, height, argb: decoder.decodeImage(width, height) };
}

/** A header-less VP8L stream of a known size (the ALPH chunk's compressed alpha) → ARGB; alpha is in green. */
export function decodeLosslessStream(
  data: Uint8Array,
  width: number,
  height: number,
  budget: MemoryBudget,
): Uint32Array {
  const decoder = new Decoder(new LosslessBitReader(data, 0, 'WebP alpha data'), budget);
  return decoder.decodeImage(width, height);
}
