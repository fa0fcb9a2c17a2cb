// JPEG entropy decoding in WebAssembly (AssemblyScript; `npm run build:wasm -w shared` builds the committed
// jpeg.wasm): one sequential scan, or one progressive DC scan, into the coefficient store — the job of
// shared/src/image/jpeg/scan-fast.ts, with the same tables (built in TypeScript, copied in by
// shared/src/image/jpeg/scan-wasm.ts) and the same results, errors included.
//
// The bit buffer is 64 bits wide and refilled up to seven bytes at a time (one unaligned load when none of them is
// 0xFF), so most symbols cost no refill check beyond one compare. The TypeScript decoders hold at most 32 bits and
// read a byte at a time, and that difference is visible at a restart marker: bytes of garbage before an RSTn are
// dropped unread by a reader that has already buffered them and reported by one that has not. So beside its own
// buffer this decoder keeps `lag`, how many bits ahead of scan-fast.ts's reader it has read, advancing it at exactly
// the places scan-fast.ts refills; at a restart that tells where scan-fast.ts's reader would stand.

// Parameter block: i32 fields at these byte offsets.
const BYTES = 0, START = 4, END = 8, COMPONENTS = 12, WITH_AC = 16, REFINE = 20, DC_SHIFT = 24, REFINE_BIT = 28;
const USE_SKIP = 32, PER_BLOCK = 36, RESTART = 40, MCUS_PER_LINE = 44, MCU_ROWS = 48, BLOCKS_PER_MCU = 52;
/** Out: the byte position an error names (restart marker missing) or the DC size refused. */
const DETAIL = 56;
/** Per block of the MCU (at most 10): its component, and its store offset (in coefficients) from the MCU's. */
const LAYOUT_COMPONENT = 64, LAYOUT_OFFSET = 104;
/** Per component (at most 4), 5 i32 each: store address, column step, row step, DC table, AC table. */
const COMPONENT = 144, STORE = 0, COLUMN_STEP = 4, ROW_STEP = 8, DC_TABLE = 12, AC_TABLE = 16, COMPONENT_SIZE = 20;

// A Huffman table block (huffman.ts's HuffmanTable, fastAcTable, skipAcTable), byte offsets.
// SYMBOLS has room for the most a DHT segment can list (16 lengths × 255).
const LOOKAHEAD = 0, MAX_CODE = 1024, OFFSET = 1096, SYMBOLS = 1168, FAST = 5264, SKIP = 13456;
const LOOKAHEAD_BITS = 9, FAST_AC_BITS = 11, SKIP_AC_BITS = 12;
const FAST_AC_EOB = 128, SKIP_AC_EOB = 1 << 16;

// Results; scan-wasm.ts turns each into scan-fast.ts's ImageError.
const OK = 0, TRUNCATED = 1, NO_RESTART_MARKER = 2, NO_SUCH_CODE = 3, DC_TOO_LARGE = 4, PAST_63 = 5;

const ONES: u64 = 0x0101010101010101, HIGHS: u64 = 0x8080808080808080;

// The reader's state. decodeScan keeps `acc` and `count` in locals (registers) and hands them to refill through
// these globals: a refill happens once every few symbols, a symbol reads them several times.
let bytes: usize = 0;
let pos: i32 = 0;
let end: i32 = 0;
let acc_: u64 = 0;
let count_: i32 = 0;
let padding: i32 = 0;

/** Up to 56 unread bits: 0xFF 0x00 is a literal 0xFF; at a marker or past the end, zero bytes (counted). */
// @ts-ignore: decorator
@inline function refill(): void {
  if (pos + 8 <= end) {
    const word = load<u64>(bytes + <usize>pos);
    // No byte equal to 0xFF: take as many whole bytes as fit, in one shift.
    if (((~word - ONES) & word & HIGHS) === 0) {
      const take = (63 - count_) >> 3;
      const bits = take << 3;
      acc_ = (acc_ << <u64>bits) | (bswap<u64>(word) >> <u64>(64 - bits));
      count_ += bits;
      pos += take;
      return;
    }
  }
  while (count_ <= 56) {
    let byte: u32 = 0;
    if (pos < end) {
      byte = load<u8>(bytes + <usize>pos);
      if (byte !== 0xff) pos++;
      else if (load<u8>(bytes + <usize>pos + 1) === 0) pos += 2;
      else {
        byte = 0;
        padding++;
      }
    } else padding++;
    acc_ = (acc_ << 8) | <u64>byte;
    count_ += 8;
  }
}

/** The lag, in bits, after scan-fast.ts's reader refills at a point where it holds `behind` unread bits. */
// @ts-ignore: decorator
@inline function lagAfterRefill(lag: i32, behind: i32): i32 {
  // It reads bytes while it holds 24 bits or fewer.
  return behind <= 24 ? lag - ((((24 - behind) >> 3) + 1) << 3) : lag;
}

// @ts-ignore: decorator
@inline function peek(acc: u64, count: i32, bits: i32): i32 {
  return <i32>(acc >> <u64>(count - bits)) & ((1 << bits) - 1);
}

/** Huffman code longer than LOOKAHEAD_BITS: the per-length maxcode walk of T.81 Figure F.16; −1 for no code. */
function slowSymbol(table: usize, acc: u64, count: i32): i32 {
  for (let length = LOOKAHEAD_BITS + 1; length <= 16; length++) {
    const code = peek(acc, count, length);
    if (code <= load<i32>(table + MAX_CODE + (<usize>length << 2))) {
      return (length << 8) | <i32>load<u8>(table + SYMBOLS + <usize>(load<i32>(table + OFFSET + (<usize>length << 2)) + code));
    }
  }
  return -1;
}

// @ts-ignore: decorator
@inline function extend(v: i32, size: i32): i32 {
  return v < 1 << (size - 1) ? v - (1 << size) + 1 : v;
}

/** Where scan-fast.ts's reader would stand at a restart: this one's position less the slots it read that that one
 * had not (`lag` bits of them; the last `padding` are zeros past the data, which took no bytes). */
function positionBehind(lag: i32): i32 {
  let slots = (lag >> 3) - padding;
  let at = pos;
  for (; slots > 0; slots--) {
    // A stuffed 0xFF 0x00 is one slot of two bytes; every 0xFF this reader took was the start of one.
    at -= at >= 2 && load<u8>(bytes + <usize>at - 1) === 0 && load<u8>(bytes + <usize>at - 2) === 0xff ? 2 : 1;
  }
  return at;
}

export function decodeScan(p: usize): i32 {
  // Without restart markers the lag is never read: a copy of the loop that does not keep it.
  return load<i32>(p, RESTART) > 0 ? decode(p, true) : decode(p, false);
}

// @ts-ignore: decorator
@inline function decode(p: usize, trackLag: bool): i32 {
  bytes = <usize>load<i32>(p, BYTES);
  pos = load<i32>(p, START);
  end = load<i32>(p, END);
  padding = 0;
  let acc: u64 = 0;
  let count = 0;
  const withAc = load<i32>(p, WITH_AC) !== 0, refine = load<i32>(p, REFINE) !== 0, useSkip = load<i32>(p, USE_SKIP) !== 0;
  const dcShift = load<i32>(p, DC_SHIFT), refineBit = <i16>load<i32>(p, REFINE_BIT), perBlock = load<i32>(p, PER_BLOCK);
  const restartInterval = load<i32>(p, RESTART), mcusPerLine = load<i32>(p, MCUS_PER_LINE);
  const mcuRows = load<i32>(p, MCU_ROWS), blocksPerMcu = load<i32>(p, BLOCKS_PER_MCU);
  // Per component: the prediction of its DC.
  let pred0 = 0, pred1 = 0, pred2 = 0, pred3 = 0;
  let lag = 0;
  let mcu = 0;
  for (let row = 0; row < mcuRows; row++) {
    for (let col = 0; col < mcusPerLine; col++, mcu++) {
      if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
        if (padding * 8 > count) return TRUNCATED;
        let at = positionBehind(lag);
        acc = 0;
        count = 0;
        padding = 0;
        lag = 0;
        while (at + 1 < end && load<u8>(bytes + <usize>at) === 0xff && load<u8>(bytes + <usize>at + 1) === 0xff) at++;
        const marker = load<u8>(bytes + <usize>at + 1);
        if (load<u8>(bytes + <usize>at) !== 0xff || marker < 0xd0 || marker > 0xd7) {
          store<i32>(p, at, DETAIL);
          return NO_RESTART_MARKER;
        }
        pos = at + 2;
        pred0 = pred1 = pred2 = pred3 = 0;
      }
      for (let b = 0; b < blocksPerMcu; b++) {
        const ci = load<i32>(p + (<usize>b << 2), LAYOUT_COMPONENT);
        const c = p + COMPONENT + <usize>(ci * COMPONENT_SIZE);
        const off = row * load<i32>(c, ROW_STEP) + col * load<i32>(c, COLUMN_STEP) + load<i32>(p + (<usize>b << 2), LAYOUT_OFFSET);
        const base = <usize>load<i32>(c, STORE) + (<usize>off << 1);
        // ---- DC: a size category, then that many magnitude bits (or one refinement bit).
        if (count < 32) {
          acc_ = acc;
          count_ = count;
          refill();
          lag += count_ - count;
          acc = acc_;
          count = count_;
        }
        if (trackLag) lag = lagAfterRefill(lag, count - lag);
        if (refine) {
          count--;
          if (<i32>(acc >> <u64>count) & 1) store<i16>(base, load<i16>(base) | refineBit);
          continue;
        }
        const dc = <usize>load<i32>(c, DC_TABLE);
        let entry = <i32>load<u16>(dc + LOOKAHEAD + (<usize>peek(acc, count, LOOKAHEAD_BITS) << 1));
        if (entry === 0) {
          entry = slowSymbol(dc, acc, count);
          if (entry < 0) return NO_SUCH_CODE;
        }
        count -= entry >> 8;
        const size = entry & 0xff;
        let pred = ci === 0 ? pred0 : ci === 1 ? pred1 : ci === 2 ? pred2 : pred3;
        if (size !== 0) {
          if (size > 16) {
            store<i32>(p, size, DETAIL);
            return DC_TOO_LARGE;
          }
          if (trackLag && count - lag < size) {
            if (count < 32) {
              acc_ = acc;
              count_ = count;
              refill();
              lag += count_ - count;
              acc = acc_;
              count = count_;
            }
            lag = lagAfterRefill(lag, count - lag);
          }
          count -= size;
          pred += extend(<i32>(acc >> <u64>count) & ((1 << size) - 1), size);
          if (ci === 0) pred0 = pred;
          else if (ci === 1) pred1 = pred;
          else if (ci === 2) pred2 = pred;
          else pred3 = pred;
        }
        store<i16>(base, <i16>(pred << dcShift));
        if (!withAc) continue;
        // ---- AC: (run, size) symbols until end-of-block or index 63.
        const ac = <usize>load<i32>(c, AC_TABLE);
        for (let k = 1; k < 64;) {
          if (trackLag && count - lag < 16) {
            if (count < 32) {
              acc_ = acc;
              count_ = count;
              refill();
              lag += count_ - count;
              acc = acc_;
              count = count_;
            }
            lag = lagAfterRefill(lag, count - lag);
          } else if (count < 32) {
            acc_ = acc;
            count_ = count;
            refill();
            lag += count_ - count;
            acc = acc_;
            count = count_;
          }
          if (useSkip && k >= perBlock) {
            // Coefficients nobody reads: several whole ones per table read (skipAcTable).
            const sk = load<i32>(ac + SKIP + (<usize>peek(acc, count, SKIP_AC_BITS) << 2));
            if (sk !== 0 && k + ((sk >> 8) & 0xff) <= 64) {
              count -= sk & 0xff;
              k += (sk >> 8) & 0xff;
              if (sk & SKIP_AC_EOB) break;
              continue;
            }
          }
          const f = load<i32>(ac + FAST + (<usize>peek(acc, count, FAST_AC_BITS) << 2));
          if (f !== 0) {
            // value · 2¹⁶ + run · 2⁸ + bits used; end-of-block's run is FAST_AC_EOB
            count -= f & 0xff;
            k += (f >> 8) & 0xff;
            if (k > 63) {
              if (k >= FAST_AC_EOB) break;
              return PAST_63;
            }
            if (k < perBlock) store<i16>(base + (<usize>k << 1), <i16>(f >> 16));
            k++;
            continue;
          }
          let rs = <i32>load<u16>(ac + LOOKAHEAD + (<usize>peek(acc, count, LOOKAHEAD_BITS) << 1));
          if (rs === 0) {
            rs = slowSymbol(ac, acc, count);
            if (rs < 0) return NO_SUCH_CODE;
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
          if (k > 63) return PAST_63;
          if (trackLag && count - lag < s) {
            if (count < 32) {
              acc_ = acc;
              count_ = count;
              refill();
              lag += count_ - count;
              acc = acc_;
              count = count_;
            }
            lag = lagAfterRefill(lag, count - lag);
          }
          count -= s;
          if (k < perBlock) store<i16>(base + (<usize>k << 1), <i16>extend(<i32>(acc >> <u64>count) & ((1 << s) - 1), s));
          k++;
        }
      }
    }
  }
  return padding * 8 > count ? TRUNCATED : OK;
}

