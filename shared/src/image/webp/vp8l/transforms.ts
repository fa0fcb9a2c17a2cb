// The four VP8L transforms undone (RFC 9649 §4) one row at a time, over ARGB pixels packed as 0xAARRGGBB,
// so a picture streams out of the decoder without existing whole. Only the predictor looks beyond its row
// (at the row above, with the transform already undone). Channel arithmetic is modulo 256 per channel;
// helpers keep every result an unsigned 32-bit number.

/** Per-channel sum modulo 256. */
export function addPixels(a: number, b: number): number {
  const alphaGreen = ((a & 0xff00ff00) + (b & 0xff00ff00)) & 0xff00ff00;
  const redBlue = ((a & 0x00ff00ff) + (b & 0x00ff00ff)) & 0x00ff00ff;
  return (alphaGreen | redBlue) >>> 0;
}

function average2(a: number, b: number): number {
  return ((((a ^ b) & 0xfefefefe) >>> 1) + (a & b)) >>> 0;
}

// Per-channel clamps to 0..255 as one table read: a + b − c lies in [−255, 510].
const CLAMP_OFFSET = 255;
const CLAMP = Uint8Array.from({ length: 766 }, (_, i) => Math.min(255, Math.max(0, i - CLAMP_OFFSET)));

/** |v| for the small integers here, without a branch. */
const abs = (v: number): number => (v ^ (v >> 31)) - (v >> 31);

function select(left: number, top: number, topLeft: number): number {
  // Σ|T − TL| over the channels: how far the gradient estimate is from L; Σ|L − TL| from T.
  const tl0 = topLeft >>> 24,
    tl1 = (topLeft >>> 16) & 0xff,
    tl2 = (topLeft >>> 8) & 0xff,
    tl3 = topLeft & 0xff;
  const toLeft =
    abs((top >>> 24) - tl0) +
    abs(((top >>> 16) & 0xff) - tl1) +
    abs(((top >>> 8) & 0xff) - tl2) +
    abs((top & 0xff) - tl3);
  const toTop =
    abs((left >>> 24) - tl0) +
    abs(((left >>> 16) & 0xff) - tl1) +
    abs(((left >>> 8) & 0xff) - tl2) +
    abs((left & 0xff) - tl3);
  return toLeft < toTop ? left : top;
}

/** Per channel: clamp(a + b − c), unrolled. */
function clampAddSubtractFull(a: number, b: number, c: number): number {
  const alpha = CLAMP[(a >>> 24) + (b >>> 24) - (c >>> 24) + CLAMP_OFFSET]!;
  const red = CLAMP[((a >>> 16) & 0xff) + ((b >>> 16) & 0xff) - ((c >>> 16) & 0xff) + CLAMP_OFFSET]!;
  const green = CLAMP[((a >>> 8) & 0xff) + ((b >>> 8) & 0xff) - ((c >>> 8) & 0xff) + CLAMP_OFFSET]!;
  const blue = CLAMP[(a & 0xff) + (b & 0xff) - (c & 0xff) + CLAMP_OFFSET]!;
  return ((alpha << 24) | (red << 16) | (green << 8) | blue) >>> 0;
}

/** Per channel: clamp(x + (x − y) / 2), the division truncating toward zero. */
function halfChannel(x: number, y: number): number {
  const d = x - y;
  return CLAMP[x + ((d + (d >>> 31)) >> 1) + CLAMP_OFFSET]!;
}

function clampAddSubtractHalf(a: number, b: number): number {
  const alpha = halfChannel(a >>> 24, b >>> 24);
  const red = halfChannel((a >>> 16) & 0xff, (b >>> 16) & 0xff);
  const green = halfChannel((a >>> 8) & 0xff, (b >>> 8) & 0xff);
  const blue = halfChannel(a & 0xff, b & 0xff);
  return ((alpha << 24) | (red << 16) | (green << 8) | blue) >>> 0;
}

const BLACK = 0xff000000;

/** The prediction for pixel x of a row (x ≥ 1) from the row so far and the row above, already undone. */
function predict(mode: number, row: Uint32Array, above: Uint32Array, x: number, width: number): number {
  const left = row[x - 1]!;
  const top = above[x]!;
  switch (mode) {
    case 1:
      return left;
    case 2:
      return top;
    case 3:
      return topRight(row, above, x, width);
    case 4:
      return above[x - 1]!;
    case 5:
      return average2(average2(left, topRight(row, above, x, width)), top);
    case 6:
      return average2(left, above[x - 1]!);
    case 7:
      return average2(left, top);
    case 8:
      return average2(above[x - 1]!, top);
    case 9:
      return average2(top, topRight(row, above, x, width));
    case 10:
      return average2(average2(left, above[x - 1]!), average2(top, topRight(row, above, x, width)));
    case 11:
      return select(left, top, above[x - 1]!);
    case 12:
      return clampAddSubtractFull(left, top, above[x - 1]!);
    case 13:
      return clampAddSubtractHalf(average2(left, top), above[x - 1]!);
    default:
      return BLACK; // 0, and 14/15 which the format leaves to mean the same
  }
}

/** Above-right; for the last pixel of a row the format reads the pixel after it in memory: this row's first. */
function topRight(row: Uint32Array, above: Uint32Array, x: number, width: number): number {
  return x + 1 < width ? above[x + 1]! : row[0]!;
}

/**
 * Predictor transform on row y (`width` pixels, in place): each pixel is its residual plus the prediction its
 * block's mode makes from `above`, the previous row with this transform already undone (null for row 0).
 */
export function undoPredictorRow(
  row: Uint32Array,
  above: Uint32Array | null,
  width: number,
  y: number,
  bits: number,
  modes: Uint32Array,
): void {
  if (above === null) {
    row[0] = addPixels(row[0]!, BLACK);
    for (let x = 1; x < width; x++) row[x] = addPixels(row[x]!, row[x - 1]!);
    return;
  }
  row[0] = addPixels(row[0]!, above[0]!);
  const modeRow = (y >> bits) * Math.ceil(width / (1 << bits));
  for (let x = 1; x < width; x++) {
    const mode = (modes[modeRow + (x >> bits)]! >>> 8) & 0xf;
    row[x] = addPixels(row[x]!, predict(mode, row, above, x, width));
  }
}

/** (int8 · int8) >> 5, as the colour transform defines its delta. */
function delta(t: number, c: number): number {
  return (((t << 24) >> 24) * ((c << 24) >> 24)) >> 5;
}

/** Colour (cross-colour) transform on row y: red and blue get back what was predicted from green (and red). */
export function undoColorTransformRow(
  row: Uint32Array,
  width: number,
  y: number,
  bits: number,
  elements: Uint32Array,
): void {
  const elementRow = (y >> bits) * Math.ceil(width / (1 << bits));
  for (let x = 0; x < width; x++) {
    const e = elements[elementRow + (x >> bits)]!;
    const greenToRed = e & 0xff;
    const greenToBlue = (e >>> 8) & 0xff;
    const redToBlue = (e >>> 16) & 0xff;
    const argb = row[x]!;
    const green = (argb >>> 8) & 0xff;
    const red = (((argb >>> 16) & 0xff) + delta(greenToRed, green)) & 0xff;
    const blue = ((argb & 0xff) + delta(greenToBlue, green) + delta(redToBlue, red)) & 0xff;
    row[x] = ((argb & 0xff00ff00) | (red << 16) | blue) >>> 0;
  }
}

/** Subtract-green transform on one row: green is added back to red and blue. */
export function undoSubtractGreenRow(row: Uint32Array, width: number): void {
  for (let i = 0; i < width; i++) {
    const argb = row[i]!;
    const green = (argb >>> 8) & 0xff;
    const redBlue = ((argb & 0x00ff00ff) + ((green << 16) | green)) & 0x00ff00ff;
    row[i] = ((argb & 0xff00ff00) | redBlue) >>> 0;
  }
}

/** The palette padded to 256 entries: indices past its end are transparent black, as the format says. */
export function fullPalette(palette: Uint32Array): Uint32Array {
  const full = new Uint32Array(256);
  full.set(palette.subarray(0, 256));
  return full;
}

/**
 * Colour-indexing transform on one row: green holds palette indices, `1 << bits` of them packed per pixel
 * (low bits first) when the palette is small. With bits 0, `packed` may be `out` (each pixel read first).
 */
export function undoColorIndexingRow(
  packed: Uint32Array,
  out: Uint32Array,
  width: number,
  bits: number,
  palette: Uint32Array,
): void {
  const perPixel = 1 << bits;
  const indexBits = 8 >> bits;
  const mask = (1 << indexBits) - 1;
  for (let x = 0; x < width; x++) {
    const green = (packed[x >> bits]! >>> 8) & 0xff;
    out[x] = palette[(green >> ((x & (perPixel - 1)) * indexBits)) & mask]!;
  }
}
