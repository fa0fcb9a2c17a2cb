// The hot path for camera photos: a sequential (baseline) scan with the bit reader's state held in locals
// and the fast-AC table, so most coefficients cost one table read. Same results as scan.ts's baseline path,
// which stays the reference (and serves progressive files); this only removes per-bit call overhead.

import { corrupt, type Component, type Frame } from './frame.ts';
import { fastAcTable, LOOKAHEAD_BITS, type HuffmanTable } from './huffman.ts';
import type { Scan } from './scan.ts';

const PEEK_MASK = (1 << LOOKAHEAD_BITS) - 1;

export function decodeSequentialScan(
  bytes: Uint8Array,
  start: number,
  end: number,
  frame: Frame,
  scan: Scan,
  perBlock: number,
  restartInterval: number,
): void {
  let pos = start;
  let acc = 0;
  let count = 0;
  let padding = 0;

  const components = scan.components;
  const fastAc = components.map((c) => fastAcTable(c.acTable!));
  const single = components.length === 1 ? components[0]! : null;
  const mcus = single ? single.ownBlocksPerLine * single.ownBlocksPerColumn : frame.mcusPerLine * frame.mcusPerColumn;
  const preds = new Int32Array(components.length);

  // One block; returns nothing, mutates the reader state captured above through the enclosing function's locals.
  const block = (ci: number, c: Component, off: number): void => {
    const store = c.coeffs;
    const dc: HuffmanTable = c.dcTable!;
    const ac: HuffmanTable = c.acTable!;
    const fast = fastAc[ci]!;
    // --- DC
    while (count <= 24) {
      let b = 0;
      if (pos < end) {
        b = bytes[pos]!;
        if (b === 0xff) {
          if (bytes[pos + 1] === 0) pos += 2;
          else { b = 0; padding++; }
        } else pos++;
      } else padding++;
      acc = (acc << 8) | b;
      count += 8;
    }
    let s = decodeSymbol(dc);
    if (s !== 0) {
      if (s > 16) throw corrupt(`DC difference of ${s} bits`);
      if (count < s) refill();
      count -= s;
      const v = (acc >>> count) & ((1 << s) - 1);
      preds[ci] = preds[ci]! + (v < 1 << (s - 1) ? v - (1 << s) + 1 : v);
    }
    store[off] = preds[ci]!;
    // --- AC
    for (let k = 1; k < 64; ) {
      if (count < 16) refill();
      const peek = (acc >>> (count - LOOKAHEAD_BITS)) & PEEK_MASK;
      const f = fast[peek]!;
      if (f !== 0) {
        count -= f & 0xff;
        k += (f >> 8) & 0xff;
        if (k < perBlock) store[off + k] = f >> 16;
        k++;
        continue;
      }
      const rs = decodeSymbol(ac);
      s = rs & 15;
      const run = rs >> 4;
      if (s === 0) {
        if (run < 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) throw corrupt('coefficient index past 63');
      if (count < s) refill();
      count -= s;
      const v = (acc >>> count) & ((1 << s) - 1);
      if (k < perBlock) store[off + k] = v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
      k++;
    }
  };

  function refill(): void {
    while (count <= 24) {
      let b = 0;
      if (pos < end) {
        b = bytes[pos]!;
        if (b === 0xff) {
          if (bytes[pos + 1] === 0) pos += 2;
          else { b = 0; padding++; }
        } else pos++;
      } else padding++;
      acc = (acc << 8) | b;
      count += 8;
    }
  }

  function decodeSymbol(table: HuffmanTable): number {
    if (count < 16) refill();
    const entry = table.lookahead[(acc >>> (count - LOOKAHEAD_BITS)) & PEEK_MASK]!;
    if (entry !== 0) {
      count -= entry >> 8;
      return entry & 0xff;
    }
    for (let length = LOOKAHEAD_BITS + 1; length <= 16; length++) {
      const code = (acc >>> (count - length)) & ((1 << length) - 1);
      if (code <= table.maxCode[length]!) {
        count -= length;
        return table.symbols[table.offset[length]! + code]!;
      }
    }
    throw corrupt('scan holds a code that is in no Huffman table');
  }

  const overran = (): boolean => padding * 8 > count;

  for (let mcu = 0; mcu < mcus; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      if (overran()) throw corrupt('scan data ends before its last block');
      acc = 0;
      count = 0;
      padding = 0;
      while (pos + 1 < end && bytes[pos] === 0xff && bytes[pos + 1] === 0xff) pos++;
      const marker = bytes[pos + 1] ?? 0;
      if (bytes[pos] !== 0xff || marker < 0xd0 || marker > 0xd7) throw corrupt(`restart marker missing at byte ${pos}`);
      pos += 2;
      preds.fill(0);
    }
    if (single) {
      const row = Math.floor(mcu / single.ownBlocksPerLine);
      const col = mcu - row * single.ownBlocksPerLine;
      block(0, single, (row * single.blocksPerLine + col) * perBlock);
      continue;
    }
    const mcuRow = Math.floor(mcu / frame.mcusPerLine);
    const mcuCol = mcu - mcuRow * frame.mcusPerLine;
    for (let ci = 0; ci < components.length; ci++) {
      const c = components[ci]!;
      for (let y = 0; y < c.v; y++) {
        const rowStart = (mcuRow * c.v + y) * c.blocksPerLine + mcuCol * c.h;
        for (let x = 0; x < c.h; x++) block(ci, c, (rowStart + x) * perBlock);
      }
    }
  }
  if (overran()) throw corrupt('scan data ends before its last block');
}


