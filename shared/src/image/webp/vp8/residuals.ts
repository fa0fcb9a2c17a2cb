// DCT token decoding (RFC 6386 §13): one block's coefficients from the token tree, dequantised, in
// raster order. Returns the position after the last decoded token (0..16), which the caller turns into
// "has non-zero coefficients" contexts and into which inverse transform the block needs.
import type { BoolDecoder } from './bool-decoder.ts';
import { BANDS as BANDS_TABLE, CAT_PROBS as CAT_TABLE, ZIGZAG as ZIGZAG_TABLE } from './tables.ts';

// Module-local bindings: read per coefficient, they must not go through an import accessor.
const BANDS = BANDS_TABLE;
const CAT_PROBS = CAT_TABLE;
const ZIGZAG = ZIGZAG_TABLE;

/** Block types, the first index of the token probabilities. */
export const TYPE_Y_AFTER_Y2 = 0;
export const TYPE_Y2 = 1;
export const TYPE_CHROMA = 2;
export const TYPE_Y_WITH_DC = 3;

const NODES = 11;
const CONTEXTS = 3;

function largeValue(br: BoolDecoder, probs: Uint8Array, p: number): number {
  if (!br.bit(probs[p + 3]!)) {
    return br.bit(probs[p + 4]!) ? 3 + br.bit(probs[p + 5]!) : 2;
  }
  if (!br.bit(probs[p + 6]!)) {
    if (!br.bit(probs[p + 7]!)) return 5 + br.bit(159);
    return 7 + 2 * br.bit(165) + br.bit(145);
  }
  const high = br.bit(probs[p + 8]!);
  const cat = 2 * high + br.bit(probs[p + 9 + high]!);
  let v = 0;
  for (const prob of CAT_PROBS[cat]!) v = 2 * v + br.bit(prob);
  return v + 3 + (8 << cat);
}

/** Tokens of one block starting at position `first` (1 for luma after a Y2 block), into out[at..at+16). */
export function readCoefficients(
  br: BoolDecoder,
  probs: Uint8Array,
  type: number,
  context: number,
  dcStep: number,
  acStep: number,
  first: number,
  out: Int16Array,
  at: number,
): number {
  const typeBase = type * 8;
  let n = first;
  let p = ((typeBase + BANDS[n]!) * CONTEXTS + context) * NODES;
  for (; n < 16; n++) {
    if (!br.bit(probs[p]!)) return n; // end of block
    while (!br.bit(probs[p + 1]!)) {
      // a zero coefficient; the next token uses context 0
      if (++n === 16) return 16;
      p = (typeBase + BANDS[n]!) * CONTEXTS * NODES;
    }
    const next = (typeBase + BANDS[n + 1]!) * CONTEXTS * NODES;
    let v: number;
    if (!br.bit(probs[p + 2]!)) {
      v = 1;
      p = next + NODES;
    } else {
      v = largeValue(br, probs, p);
      p = next + 2 * NODES;
    }
    out[at + ZIGZAG[n]!] = (br.bit(128) ? -v : v) * (n > 0 ? acStep : dcStep);
  }
  return 16;
}
