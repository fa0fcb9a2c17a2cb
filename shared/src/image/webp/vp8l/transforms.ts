// The four VP8L transforms undone (RFC 9649 §4), each in place over ARGB pixels packed as 0xAARRGGBB.
// Channel arithmetic is modulo 256 per channel; helpers keep every result an unsigned 32-bit number.

/** Per-channel sum modulo 256. */
export function addPixels(a: number, b: number): number {
  const alphaGreen = ((a & 0xff00ff00) + (b & 0xff00ff00)) & 0xff00ff00;
  const redBlue = ((a & 0x00ff00ff) + (b & 0x00ff00ff)) & 0x00ff00ff;
  return (alphaGreen | redBlue) >>> 0;
}

function average2(a: number, b: number): number {
  return ((((a ^ b) & 0xfefefefe) >>> 1) + (a & b)) >>> 0;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function select(left: number, top: number, topLeft: number): number {
  let toLeft = 0; // Σ|T − TL|: how far the gradient estimate is from L
  let toTop = 0; //  Σ|L − TL|
  for (let shift = 0; shift < 32; shift += 8) {
    const l = (left >>> shift) & 0xff;
    const t = (top >>> shift) & 0xff;
    const tl = (topLeft >>> shift) & 0xff;
    toLeft += Math.abs(t - tl);
    toTop += Math.abs(l - tl);
  }
  return toLeft < toTop ? left : top;
}

function clampAddSubtractFull(a: number, b: number, c: number): number {
  let out = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    const v = clamp255(((a >>> shift) & 0xff) + ((b >>> shift) & 0xff) - ((c >>> shift) & 0xff));
    out |= v << shift;
  }
  return out >>> 0;
}

function clampAddSubtractHalf(a: number, b: number): number {
  let out = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    const x = (a >>> shift) & 0xff;
    const y = (b >>> shift) & 0xff;
    out |= clamp255(x + Math.trunc((x - y) / 2)) << shift;
  }
  return out >>> 0;
}

const BLACK = 0xff000000;

function predict(mode: number, data: Uint32Array, pos: number, width: number): number {
  const left = data[pos - 1]!;
  const top = data[pos - width]!;
  switch (mode) {
    case 1:
      return left;
    case 2:
      return top;
    case 3:
      return data[pos - width + 1]!;
    case 4:
      return data[pos - width - 1]!;
    case 5:
      return average2(average2(left, data[pos - width + 1]!), top);
    case 6:
      return average2(left, data[pos - width - 1]!);
    case 7:
      return average2(left, top);
    case 8:
      return average2(data[pos - width - 1]!, top);
    case 9:
      return average2(top, data[pos - width + 1]!);
    case 10:
      return average2(average2(left, data[pos - width - 1]!), average2(top, data[pos - width + 1]!));
    case 11:
      return select(left, top, data[pos - width - 1]!);
    case 12:
      return clampAddSubtractFull(left, top, data[pos - width - 1]!);
    case 13:
      return clampAddSubtractHalf(average2(left, top), data[pos - width - 1]!);
    default:
      return BLACK; // 0, and 14/15 which the format leaves to mean the same
  }
}

/** Predictor transform: each pixel is its residual plus the prediction its block's mode makes. */
export function undoPredictor(
  data: Uint32Array,
  width: number,
  height: number,
  bits: number,
  modes: Uint32Array,
): void {
  const blocksWide = Math.ceil(width / (1 << bits));
  data[0] = addPixels(data[0]!, BLACK);
  for (let x = 1; x < width; x++) data[x] = addPixels(data[x]!, data[x - 1]!);
  for (let y = 1; y < height; y++) {
    const row = y * width;
    data[row] = addPixels(data[row]!, data[row - width]!);
    const modeRow = (y >> bits) * blocksWide;
    for (let x = 1; x < width; x++) {
      const mode = (modes[modeRow + (x >> bits)]! >>> 8) & 0xf;
      data[row + x] = addPixels(data[row + x]!, predict(mode, data, row + x, width));
    }
  }
}

/** (int8 · int8) >> 5, as the colour transform defines its delta. */
function delta(t: number, c: number): number {
  return (((t << 24) >> 24) * ((c << 24) >> 24)) >> 5;
}

/** Colour (cross-colour) transform: red and blue get back what was predicted from green (and red). */
export function undoColorTransform(
  data: Uint32Array,
  width: number,
  height: number,
  bits: number,
  elements: Uint32Array,
): void {
  const blocksWide = Math.ceil(width / (1 << bits));
  for (let y = 0; y < height; y++) {
    const elementRow = (y >> bits) * blocksWide;
    for (let x = 0, pos = y * width; x < width; x++, pos++) {
      const e = elements[elementRow + (x >> bits)]!;
      const greenToRed = e & 0xff;
      const greenToBlue = (e >>> 8) & 0xff;
      const redToBlue = (e >>> 16) & 0xff;
      const argb = data[pos]!;
      const green = (argb >>> 8) & 0xff;
      const red = (((argb >>> 16) & 0xff) + delta(greenToRed, green)) & 0xff;
      const blue = ((argb & 0xff) + delta(greenToBlue, green) + delta(redToBlue, red)) & 0xff;
      data[pos] = ((argb & 0xff00ff00) | (red << 16) | blue) >>> 0;
    }
  }
}

/** Subtract-green transform: green is added back to red and blue. */
export function undoSubtractGreen(data: Uint32Array): void {
  for (let i = 0; i < data.length; i++) {
    const argb = data[i]!;
    const green = (argb >>> 8) & 0xff;
    const redBlue = ((argb & 0x00ff00ff) + ((green << 16) | green)) & 0x00ff00ff;
    data[i] = ((argb & 0xff00ff00) | redBlue) >>> 0;
  }
}

/**
 * Colour-indexing transform: green holds palette indices, `1 << bits` of them packed per pixel (low bits
 * first) when the palette is small. Indices past the palette's end are transparent black, as the format says.
 */
export function undoColorIndexing(
  packed: Uint32Array,
  packedWidth: number,
  out: Uint32Array,
  width: number,
  height: number,
  bits: number,
  palette: Uint32Array,
): void {
  const full = new Uint32Array(256);
  full.set(palette.subarray(0, 256));
  const perPixel = 1 << bits;
  const indexBits = 8 >> bits;
  const mask = (1 << indexBits) - 1;
  for (let y = 0; y < height; y++) {
    const from = y * packedWidth;
    const to = y * width;
    for (let x = 0; x < width; x++) {
      const green = (packed[from + (x >> bits)]! >>> 8) & 0xff;
      out[to + x] = full[(green >> ((x & (perPixel - 1)) * indexBits)) & mask]!;
    }
  }
}
