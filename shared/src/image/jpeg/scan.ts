// Entropy decoding of one scan (T.81 Annex F for sequential, Annex G for progressive) into the
// coefficient store. The store keeps only the first `perBlock` zigzag coefficients of a block: a baseline
// scan still decodes every code (Huffman data cannot be skipped) but stores what the scaled IDCT reads.
import type { BitReader } from './bit-reader.ts';
import { corrupt, type Component, type Frame } from './frame.ts';

export interface Scan {
  components: Component[];
  /** Spectral selection (first and last zigzag index) and successive approximation (high and low bit). */
  ss: number;
  se: number;
  ah: number;
  al: number;
}

type BlockDecoder = (component: Component, offset: number) => void;

function baseline(reader: BitReader, perBlock: number): BlockDecoder {
  return (c, off) => {
    const t = reader.decode(c.dcTable!);
    c.pred += reader.receiveExtend(t);
    const store = c.coeffs;
    store[off] = c.pred;
    const ac = c.acTable!;
    for (let k = 1; k < 64;) {
      const rs = reader.decode(ac);
      const s = rs & 15;
      const run = rs >> 4;
      if (s === 0) {
        if (run < 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) throw corrupt('coefficient index past 63');
      const v = reader.receiveExtend(s);
      if (k < perBlock) store[off + k] = v;
      k++;
    }
  };
}

function dcFirst(reader: BitReader, al: number): BlockDecoder {
  return (c, off) => {
    const t = reader.decode(c.dcTable!);
    c.pred += reader.receiveExtend(t);
    c.coeffs[off] = c.pred * (1 << al);
  };
}

function dcRefine(reader: BitReader, al: number): BlockDecoder {
  return (c, off) => {
    if (reader.bit()) c.coeffs[off]! |= 1 << al;
  };
}

interface EobRun {
  n: number;
}

function acFirst(reader: BitReader, scan: Scan, eob: EobRun): BlockDecoder {
  const { ss, se, al } = scan;
  return (c, off) => {
    if (eob.n > 0) {
      eob.n--;
      return;
    }
    const store = c.coeffs;
    const ac = c.acTable!;
    for (let k = ss; k <= se; k++) {
      const rs = reader.decode(ac);
      const s = rs & 15;
      const run = rs >> 4;
      if (s === 0) {
        if (run < 15) {
          eob.n = (1 << run) - 1 + (run > 0 ? reader.bits(run) : 0);
          break;
        }
        k += 15;
        continue;
      }
      k += run;
      if (k > 63) throw corrupt('coefficient index past 63');
      store[off + k] = reader.receiveExtend(s) * (1 << al);
    }
  };
}

// G.1.2.3: a refinement bit for each coefficient already nonzero, new ±1 coefficients placed on zeros.
function acRefine(reader: BitReader, scan: Scan, eob: EobRun): BlockDecoder {
  const { ss, se, al } = scan;
  const p1 = 1 << al;
  const m1 = -1 << al;
  const refine = (store: Int16Array, at: number): void => {
    if (reader.bit() && (store[at]! & p1) === 0) store[at]! += store[at]! >= 0 ? p1 : m1;
  };
  return (c, off) => {
    const store = c.coeffs;
    const ac = c.acTable!;
    let k = ss;
    if (eob.n <= 0) {
      for (; k <= se; k++) {
        const rs = reader.decode(ac);
        let s = rs & 15;
        let run = rs >> 4;
        if (s !== 0) {
          if (s !== 1) throw corrupt('refinement coefficient larger than one bit');
          s = reader.bit() ? p1 : m1;
        } else if (run !== 15) {
          eob.n = (1 << run) + (run > 0 ? reader.bits(run) : 0);
          break;
        }
        for (; k <= se; k++) {
          if (store[off + k] !== 0) refine(store, off + k);
          else if (--run < 0) break;
        }
        if (s !== 0 && k <= 63) store[off + k] = s;
      }
    }
    if (eob.n > 0) {
      for (; k <= se; k++) if (store[off + k] !== 0) refine(store, off + k);
      eob.n--;
    }
  };
}

function blockDecoder(reader: BitReader, frame: Frame, scan: Scan, perBlock: number, eob: EobRun): BlockDecoder {
  if (!frame.progressive) return baseline(reader, perBlock);
  if (scan.ss === 0) return scan.ah === 0 ? dcFirst(reader, scan.al) : dcRefine(reader, scan.al);
  return scan.ah === 0 ? acFirst(reader, scan, eob) : acRefine(reader, scan, eob);
}

/** Decodes every MCU of the scan; restart markers reset the predictors and the EOB run. */
export function decodeScan(
  reader: BitReader,
  frame: Frame,
  scan: Scan,
  perBlock: number,
  restartInterval: number,
): void {
  const eob: EobRun = { n: 0 };
  const decode = blockDecoder(reader, frame, scan, perBlock, eob);
  const single = scan.components.length === 1 ? scan.components[0]! : null;
  const mcus = single ? single.ownBlocksPerLine * single.ownBlocksPerColumn : frame.mcusPerLine * frame.mcusPerColumn;
  for (const c of scan.components) c.pred = 0;
  for (let mcu = 0; mcu < mcus; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      for (const c of scan.components) c.pred = 0;
      eob.n = 0;
    }
    if (single) {
      // A non-interleaved scan visits the component's own blocks, row by row (A.2.2).
      const row = Math.floor(mcu / single.ownBlocksPerLine);
      const col = mcu - row * single.ownBlocksPerLine;
      decode(single, (row * single.blocksPerLine + col) * perBlock);
      continue;
    }
    const mcuRow = Math.floor(mcu / frame.mcusPerLine);
    const mcuCol = mcu - mcuRow * frame.mcusPerLine;
    for (const c of scan.components) {
      for (let y = 0; y < c.v; y++) {
        const rowStart = (mcuRow * c.v + y) * c.blocksPerLine + mcuCol * c.h;
        for (let x = 0; x < c.h; x++) decode(c, (rowStart + x) * perBlock);
      }
    }
  }
  if (reader.overran) throw corrupt('scan data ends before its last block');
}
