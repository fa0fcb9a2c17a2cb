// The hot path for camera photos: a sequential (baseline) scan, or a progressive file's DC scans (all that a
// 1/8 decode reads), decoded by one function whose bit-reader state (`acc`, `count`, `pos`) lives in plain
// locals that no closure captures, so V8 keeps them in registers instead of a heap context; the refill is
// written out where it is needed for the same reason. AC coefficients resolve with one read of an 11-bit
// table that holds code and magnitude bits together (huffman.ts `fastAcTable`); coefficients past the
// store's `perBlock` are decoded (the stream must advance) but not written, several per read of a 12-bit
// table of whole coefficient runs (`skipAcTable`) in large scans. The results equal scan.ts's,
// which stays the reference (and decodes progressive AC scans).
import { corrupt, type Frame } from './frame.ts';
import {
  fastAcTable,
  FAST_AC_BITS,
  FAST_AC_EOB,
  LOOKAHEAD_BITS,
  skipAcTable,
  SKIP_AC_BITS,
  SKIP_AC_EOB,
  type HuffmanTable,
} from './huffman.ts';
import type { Scan } from './scan.ts';

const PEEK_MASK = (1 << LOOKAHEAD_BITS) - 1;
const FAST_MASK = (1 << FAST_AC_BITS) - 1;
const SKIP_MASK = (1 << SKIP_AC_BITS) - 1;

/** One MCU's blocks in decoding order (A.2.3): which component each is, and its store offset from the MCU's. */
export interface McuLayout {
  component: Int32Array;
  offset: Int32Array;
}

export function mcuLayout(scan: Scan, perBlock: number): McuLayout {
  const component: number[] = [];
  const offset: number[] = [];
  const single = scan.components.length === 1;
  scan.components.forEach((c, ci) => {
    // A non-interleaved scan's "MCU" is one block of its component (A.2.2).
    const v = single ? 1 : c.v;
    const h = single ? 1 : c.h;
    for (let y = 0; y < v; y++) {
      for (let x = 0; x < h; x++) {
        component.push(ci);
        offset.push((y * c.blocksPerLine + x) * perBlock);
      }
    }
  });
  return { component: Int32Array.from(component), offset: Int32Array.from(offset) };
}

/** Huffman code > LOOKAHEAD_BITS long: the per-length maxcode walk of T.81 Figure F.16; −1 for no code. */
function slowSymbol(table: HuffmanTable, acc: number, count: number): number {
  for (let length = LOOKAHEAD_BITS + 1; length <= 16; length++) {
    const code = (acc >>> (count - length)) & ((1 << length) - 1);
    if (code <= table.maxCode[length]!) return (length << 8) | table.symbols[table.offset[length]! + code]!;
  }
  return -1;
}

/** Scans with fewer blocks decode their skipped coefficients one at a time (measured: a 512×384 photo at 1/8). */
const SKIP_TABLE_MIN_BLOCKS = 8192;

function blocksIn(frame: Frame, scan: Scan): number {
  const single = scan.components.length === 1 ? scan.components[0]! : null;
  if (single) return single.ownBlocksPerLine * single.ownBlocksPerColumn;
  let perMcu = 0;
  for (const c of scan.components) perMcu += c.h * c.v;
  return perMcu * frame.mcusPerLine * frame.mcusPerColumn;
}

/** Whether coefficients past `perBlock` are skipped with skipAcTable (scan-wasm.ts decides the same way). */
export function usesSkipTable(frame: Frame, scan: Scan, perBlock: number): boolean {
  return !frame.progressive && perBlock < 64 && blocksIn(frame, scan) >= SKIP_TABLE_MIN_BLOCKS;
}

/** Whether decodeScanFast handles this scan: sequential, or a progressive DC scan. */
export function hasFastPath(frame: Frame, scan: Scan): boolean {
  return !frame.progressive || scan.ss === 0;
}

export function decodeScanFast(
  bytes: Uint8Array,
  start: number,
  end: number,
  frame: Frame,
  scan: Scan,
  perBlock: number,
  restartInterval: number,
): void {
  const components = scan.components;
  const n = components.length;
  // Progressive DC scans (G.1.2.1): the first codes DC differences scaled by 2^al, a refinement adds bit al.
  const withAc = !frame.progressive;
  const refine = frame.progressive && scan.ah !== 0;
  const dcShift = frame.progressive ? scan.al : 0;
  const refineBit = 1 << scan.al;
  const stores = components.map((c) => c.coeffs);
  const dcTables = components.map((c) => c.dcTable!);
  const acTables = components.map((c) => c.acTable!);
  const fastTables = components.map((c) => (withAc ? fastAcTable(c.acTable!) : new Int32Array(0)));
  // The skip table costs 4096 entries to build: worth it only where many blocks will use it.
  const useSkip = usesSkipTable(frame, scan, perBlock);
  const skipTables = components.map((c) => (useSkip ? skipAcTable(c.acTable!) : new Int32Array(0)));
  const preds = new Int32Array(n);
  const layout = mcuLayout(scan, perBlock);
  const blocksPerMcu = layout.component.length;
  const single = n === 1 ? components[0]! : null;
  const mcusPerLine = single ? single.ownBlocksPerLine : frame.mcusPerLine;
  const mcuRows = single ? single.ownBlocksPerColumn : frame.mcusPerColumn;
  // Store offset of the MCU at (row 0, column 0) advances by these per column and per row, per component.
  const columnStep = new Int32Array(n);
  const rowStep = new Int32Array(n);
  for (let ci = 0; ci < n; ci++) {
    const c = components[ci]!;
    columnStep[ci] = (single ? 1 : c.h) * perBlock;
    rowStep[ci] = (single ? 1 : c.v) * c.blocksPerLine * perBlock;
  }

  let pos = start;
  let acc = 0;
  let count = 0;
  /** Zero bytes supplied after the data ended (or at a marker): more of them than bits left means overrun. */
  let padding = 0;
  let mcu = 0;

  for (let row = 0; row < mcuRows; row++) {
    for (let col = 0; col < mcusPerLine; col++, mcu++) {
      if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
        if (padding * 8 > count) throw corrupt('scan data ends before its last block');
        acc = 0;
        count = 0;
        padding = 0;
        while (pos + 1 < end && bytes[pos] === 0xff && bytes[pos + 1] === 0xff) pos++;
        const marker = bytes[pos + 1] ?? 0;
        if (bytes[pos] !== 0xff || marker < 0xd0 || marker > 0xd7) {
          throw corrupt(`restart marker missing at byte ${pos}`);
        }
        pos += 2;
        preds.fill(0);
      }
      for (let b = 0; b < blocksPerMcu; b++) {
        const ci = layout.component[b]!;
        const store = stores[ci]!;
        const off = row * rowStep[ci]! + col * columnStep[ci]! + layout.offset[b]!;
        // ---- DC: a size category, then that many magnitude bits (or one refinement bit).
        while (count <= 24) {
          let byte = 0;
          if (pos < end) {
            byte = bytes[pos]!;
            if (byte !== 0xff) pos++;
            else if (bytes[pos + 1] === 0) pos += 2;
            else {
              byte = 0;
              padding++;
            }
          } else padding++;
          acc = (acc << 8) | byte;
          count += 8;
        }
        if (refine) {
          count--;
          if ((acc >>> count) & 1) store[off] = store[off]! | refineBit;
          continue;
        }
        const dc = dcTables[ci]!;
        let entry = dc.lookahead[(acc >>> (count - LOOKAHEAD_BITS)) & PEEK_MASK]!;
        if (entry === 0) {
          entry = slowSymbol(dc, acc, count);
          if (entry < 0) throw corrupt('scan holds a code that is in no Huffman table');
        }
        count -= entry >> 8;
        const size = entry & 0xff;
        if (size !== 0) {
          if (size > 16) throw corrupt(`DC difference of ${size} bits`);
          if (count < size) {
            // Only a 16-bit size after a long code can get here: top up once more.
            while (count <= 24) {
              let byte = 0;
              if (pos < end) {
                byte = bytes[pos]!;
                if (byte !== 0xff) pos++;
                else if (bytes[pos + 1] === 0) pos += 2;
                else {
                  byte = 0;
                  padding++;
                }
              } else padding++;
              acc = (acc << 8) | byte;
              count += 8;
            }
          }
          count -= size;
          const v = (acc >>> count) & ((1 << size) - 1);
          preds[ci] = preds[ci]! + (v < 1 << (size - 1) ? v - (1 << size) + 1 : v);
        }
        store[off] = preds[ci]! * (1 << dcShift);
        if (!withAc) continue;
        // ---- AC: (run, size) symbols until end-of-block or index 63.
        const fast = fastTables[ci]!;
        const skip = skipTables[ci]!;
        const ac = acTables[ci]!;
        for (let k = 1; k < 64;) {
          if (count < 16) {
            while (count <= 24) {
              let byte = 0;
              if (pos < end) {
                byte = bytes[pos]!;
                if (byte !== 0xff) pos++;
                else if (bytes[pos + 1] === 0) pos += 2;
                else {
                  byte = 0;
                  padding++;
                }
              } else padding++;
              acc = (acc << 8) | byte;
              count += 8;
            }
          }
          if (useSkip && k >= perBlock) {
            // Coefficients nobody reads: several whole ones per table read (skipAcTable).
            const sk = skip[(acc >>> (count - SKIP_AC_BITS)) & SKIP_MASK]!;
            if (sk !== 0 && k + ((sk >> 8) & 0xff) <= 64) {
              count -= sk & 0xff;
              k += (sk >> 8) & 0xff;
              if (sk & SKIP_AC_EOB) break;
              continue;
            }
          }
          const f = fast[(acc >>> (count - FAST_AC_BITS)) & FAST_MASK]!;
          if (f !== 0) {
            // value · 2¹⁶ + run · 2⁸ + bits used; end-of-block's run is FAST_AC_EOB
            count -= f & 0xff;
            k += (f >> 8) & 0xff;
            if (k > 63) {
              if (k >= FAST_AC_EOB) break;
              throw corrupt('coefficient index past 63');
            }
            if (k < perBlock) store[off + k] = f >> 16;
            k++;
            continue;
          }
          let rs = ac.lookahead[(acc >>> (count - LOOKAHEAD_BITS)) & PEEK_MASK]!;
          if (rs === 0) {
            rs = slowSymbol(ac, acc, count);
            if (rs < 0) throw corrupt('scan holds a code that is in no Huffman table');
          }
          count -= rs >> 8;
          const s = rs & 15;
          const run = (rs >> 4) & 15;
          if (s === 0) {
            if (run < 15) break; // end of block
            k += 16; // sixteen zeros
            continue;
          }
          k += run;
          if (k > 63) throw corrupt('coefficient index past 63');
          if (count < s) {
            while (count <= 24) {
              let byte = 0;
              if (pos < end) {
                byte = bytes[pos]!;
                if (byte !== 0xff) pos++;
                else if (bytes[pos + 1] === 0) pos += 2;
                else {
                  byte = 0;
                  padding++;
                }
              } else padding++;
              acc = (acc << 8) | byte;
              count += 8;
            }
          }
          count -= s;
          const v = (acc >>> count) & ((1 << s) - 1);
          if (k < perBlock) store[off + k] = v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
          k++;
        }
      }
    }
  }
  if (padding * 8 > count) throw corrupt('scan data ends before its last block');
}
