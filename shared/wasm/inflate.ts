// PNG image data in WebAssembly (AssemblyScript; `npm run build:wasm -w shared` builds the committed inflate.wasm):
// the raw deflate (RFC 1951) inflater of shared/src/image/png/inflate.ts and the scanline unfilter of scanline.ts,
// with the same output, the same limit and the same errors, driven by shared/src/image/png/inflate-wasm.ts.
//
// The host feeds the compressed data (the IDAT chunks, concatenated) a window at a time into IN, so memory stays
// bounded whatever the file's size. `run` inflates until something needs the host: a 64 KB piece of output is ready
// (the host then takes its scanlines with `nextRow`, unfiltered), the window is nearly used up (the host moves the
// unread tail to the front and appends more), the stream ended, or it is refused. It stops only where it can resume:
// between blocks, between symbols, between a stored block's bytes.
//
// The output buffer works as in inflate.ts: a 32 KB window, then one piece; a piece is handed out once it passes
// 64 KB or the output passes the limit, and the limit is checked there, before any of the piece is unfiltered.
// The bit buffer is 64 bits wide and refilled with one unaligned 8-byte load; the TypeScript inflater's holds at
// most 24. The bits it reads are the same (zero bits past the end of the data, counted in `missing`), so it takes
// the same decisions and fails at the same places.

// The host's view: parameters and results at PARAMS (i32 byte offsets).
const PARAMS: usize = 16;
const P_DETAIL = 0, P_DETAIL2 = 4, P_ROW = 8, P_POS = 12, P_PRODUCED = 16;
// Lookup data built by `start`: per length symbol (29) and distance symbol (30), base | extra bits << 16.
const LEN_INFO: usize = 512, DIST_INFO: usize = 640, CLEN_ORDER: usize = 768;
// Code lengths: 19 code-length code lengths, then up to 288 literal/length and 32 distance code lengths.
const LENGTHS: usize = 800;
const COUNT: usize = 1152, NEXT: usize = 1216;
// Huffman tables, i32 entries as in inflate.ts: bits 0–3 code length, bit 4 "second-level link", bits 5+ symbol.
const CLEN_T: usize = 1280, LIT_T: usize = 2048, DIST_T: usize = 43008;
const OUT: usize = 61440, IN: usize = 160256, LINES: usize = 229888;
const WINDOW = 32768, PIECE = 65536;
const LIT_ROOT = 10, DIST_ROOT = 8, LINK = 16;
/** The most input one step (a block header, a symbol, a stored byte) reads, with the refill's 8-byte look. */
const MARGIN = 2048;

// Results of `run`.
const DONE = 0, PIECE_READY = 1, NEED_INPUT = 2, ENDED = 3, OVER_LIMIT = 4;
// Refusals (inflate-wasm.ts turns each into inflate.ts's error): detail fields as noted.
const E_BLOCK_TYPE = 16, E_STORED_LENGTH = 17, E_COUNTS = 18 /* nlit, ndist */, E_OVERSUBSCRIBED = 19 /* which */;
const E_CLEN_CODE = 20, E_REPEAT_FIRST = 21, E_REPEAT_PAST = 22, E_NO_END = 23, E_LIT_CODE = 24;
const E_LIT_SYMBOL = 25 /* symbol */, E_DIST_CODE = 26, E_DIST_SYMBOL = 27 /* symbol */, E_DIST_FAR = 28 /* distance */;
// Internal: a block's end-of-block code.
const BLOCK_END = -1;
/** Internal: the fast loop reached the last bytes of the input window. */
const FAST_DONE = -2;

const HEADER = 0, STORED = 1, CODES = 2;

let mode = HEADER;
let final = 0;
let storedLeft = 0;
// Bits not yet consumed, least significant first (bits above `bitCount` are the stream's next bits or zero).
let bits: u64 = 0;
let bitCount = 0;
let missing = 0;
let pos = 0;
let end = 0;
let last = false;

let op = 0;
let pieceStart = 0;
let flushed = 0;
let flushAt = 0;
let limit = 0;
/** A piece was handed out: the window slides when `run` is called again. */
let pending = false;

let step = 0;
let maxLine = 0;
let line: usize = 0;
let previous: usize = 0;
let filled = 0;
let cursor = 0;
let pieceEnd = 0;
let swapPending = false;
/** 2 or 4: 8-bit gray + alpha or RGBA, whose wanted rows `nextRow` also composites over white into `row`. */
let composite = 0;
let row: usize = 0;

/** Resets the state for one stream: `limit` bytes of output at most, scanlines of up to `lineBytes`;
 * `compositeSamples` 2 or 4 for 8-bit gray + alpha or RGBA rows composited here, else 0. */
export function start(outputLimit: i32, filterStep: i32, lineBytes: i32, compositeSamples: i32): void {
  let base = 3;
  for (let i = 0; i < 29; i++) {
    const extra = i < 8 || i === 28 ? 0 : (i >> 2) - 1;
    store<i32>(LEN_INFO + (<usize>i << 2), (i === 28 ? 258 : base) | (extra << 16));
    base += 1 << extra;
  }
  base = 1;
  for (let i = 0; i < 30; i++) {
    const extra = i < 4 ? 0 : (i >> 1) - 1;
    store<i32>(DIST_INFO + (<usize>i << 2), base | (extra << 16));
    base += 1 << extra;
  }
  // RFC 1951 §3.2.7: 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1 15
  store<u64>(CLEN_ORDER, 0x0609070800121110);
  store<u64>(CLEN_ORDER + 8, 0x020d030c040b050a);
  store<u32>(CLEN_ORDER + 16, 0x000f010e);
  mode = HEADER;
  final = 0;
  storedLeft = 0;
  bits = 0;
  bitCount = 0;
  missing = 0;
  pos = 0;
  end = 0;
  last = false;
  op = 0;
  pieceStart = 0;
  flushed = 0;
  limit = outputLimit;
  flushAt = min(PIECE, limit);
  pending = false;
  step = filterStep;
  maxLine = lineBytes;
  line = LINES;
  previous = LINES + ((<usize>lineBytes + 15) & ~15);
  row = previous + ((<usize>lineBytes + 15) & ~15);
  composite = compositeSamples;
  memory.fill(line, 0, <usize>lineBytes);
  memory.fill(previous, 0, <usize>lineBytes);
  filled = 0;
  cursor = 0;
  pieceEnd = 0;
  swapPending = false;
}

/** The host has put compressed bytes [from, to) in IN; `isLast`: nothing follows them. */
export function input(from: i32, to: i32, isLast: i32): void {
  pos = from;
  end = to;
  last = isLast !== 0;
}

// @ts-ignore: decorator
@inline function refill(): void {
  if (pos + 8 <= end) {
    bits |= load<u64>(IN + <usize>pos) << <u64>bitCount;
    const n = (63 - bitCount) >> 3;
    pos += n;
    bitCount += n << 3;
  } else refillSlow();
}

function refillSlow(): void {
  while (bitCount <= 56) {
    if (pos < end) {
      bits |= (<u64>load<u8>(IN + <usize>pos)) << <u64>bitCount;
      pos++;
    } else missing += 8;
    bitCount += 8;
  }
}

// @ts-ignore: decorator
@inline function take(n: i32): i32 {
  if (bitCount < n) refill();
  const value = <i32>bits & ((1 << n) - 1);
  bits >>= <u64>n;
  bitCount -= n;
  return value;
}

// @ts-ignore: decorator
@inline function truncated(): bool {
  return bitCount < missing;
}

function fail(code: i32, detail: i32, detail2: i32): i32 {
  store<i32>(PARAMS + P_DETAIL, detail);
  store<i32>(PARAMS + P_DETAIL2, detail2);
  return code;
}

/** Hands out the output since the last piece as `code`'s piece, unless it passes the limit. */
function handOut(code: i32): i32 {
  const total = flushed + op - pieceStart;
  if (total > limit) return OVER_LIMIT;
  cursor = pieceStart;
  pieceEnd = op;
  pending = true;
  store<i32>(PARAMS + P_PRODUCED, total);
  return code;
}

/** After the host took a piece: keep the last 32 KB at the start, so the next piece (≤ PIECE + one match) fits. */
function slide(): void {
  flushed += op - pieceStart;
  if (op > WINDOW) {
    memory.copy(OUT, OUT + <usize>(op - WINDOW), WINDOW);
    op = WINDOW;
  }
  pieceStart = op;
  flushAt = op + min(PIECE, limit - flushed);
}

function needInput(): i32 {
  store<i32>(PARAMS + P_POS, pos);
  return NEED_INPUT;
}

// @ts-ignore: decorator
@inline function lowOnInput(): bool {
  return !last && end - pos < MARGIN;
}

export function run(): i32 {
  if (pending) {
    pending = false;
    slide();
  }
  for (;;) {
    if (mode === HEADER) {
      if (final) return handOut(DONE);
      if (lowOnInput()) return needInput();
      final = take(1);
      const type = take(2);
      if (truncated()) return handOut(ENDED);
      if (type === 0) {
        take(bitCount & 7);
        const len = take(16);
        const nlen = take(16);
        if (truncated()) return handOut(ENDED);
        if ((len ^ 0xffff) !== nlen) return fail(E_STORED_LENGTH, 0, 0);
        storedLeft = len;
        mode = STORED;
      } else if (type === 3) return fail(E_BLOCK_TYPE, 0, 0);
      else {
        if (type === 1) fixedCodes();
        else {
          const r = dynamicCodes();
          if (r === ENDED) return handOut(ENDED);
          if (r !== 0) return r;
        }
        mode = CODES;
      }
    }
    if (mode === STORED) {
      while (storedLeft > 0) {
        if (lowOnInput()) return needInput();
        const byte = take(8);
        if (truncated()) return handOut(ENDED);
        store<u8>(OUT + <usize>op, <u8>byte);
        op++;
        storedLeft--;
        if (op > flushAt) return handOut(PIECE_READY);
      }
      mode = HEADER;
      continue;
    }
    const r = codes();
    if (r !== BLOCK_END) return r;
    mode = HEADER;
  }
  return unreachable();
}

/** Canonical code lengths → a two-level table (inflate.ts's HuffmanTable.build); false: over-subscribed. */
function build(table: usize, root: i32, lengths: usize, n: i32): bool {
  memory.fill(COUNT, 0, 64);
  for (let i = 0; i < n; i++) {
    const at = COUNT + (<usize>load<u8>(lengths + <usize>i) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  store<i32>(COUNT, 0);
  let maxLength = 0;
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    const c = load<i32>(COUNT + (<usize>len << 2));
    left = (left << 1) - c;
    if (left < 0) return false;
    if (c > 0) maxLength = len;
  }
  const rootSize = 1 << root;
  const subBits = max(0, maxLength - root);
  const subSize = 1 << subBits;
  let code = 0;
  for (let len = 1; len <= 15; len++) {
    code = (code + load<i32>(COUNT + (<usize>(len - 1) << 2))) << 1;
    store<i32>(NEXT + (<usize>len << 2), code);
  }
  memory.fill(table, 0, <usize>rootSize << 2);
  let subEnd = rootSize;
  for (let sym = 0; sym < n; sym++) {
    const len = <i32>load<u8>(lengths + <usize>sym);
    if (len === 0) continue;
    const nextAt = NEXT + (<usize>len << 2);
    const next = load<i32>(nextAt);
    store<i32>(nextAt, next + 1);
    let reversed = 0;
    for (let i = 0, c = next; i < len; i++, c >>>= 1) reversed = (reversed << 1) | (c & 1);
    const entry = (sym << 5) | len;
    if (len <= root) {
      for (let at = reversed; at < rootSize; at += 1 << len) store<i32>(table + (<usize>at << 2), entry);
      continue;
    }
    const headAt = table + (<usize>(reversed & (rootSize - 1)) << 2);
    let link = load<i32>(headAt);
    if ((link & LINK) === 0) {
      link = (subEnd << 5) | LINK | subBits;
      store<i32>(headAt, link);
      memory.fill(table + (<usize>subEnd << 2), 0, <usize>subSize << 2);
      subEnd += subSize;
    }
    const base = table + (<usize>(link >>> 5) << 2);
    for (let at = reversed >>> root; at < subSize; at += 1 << (len - root)) store<i32>(base + (<usize>at << 2), entry);
  }
  return true;
}

function fixedCodes(): void {
  memory.fill(LENGTHS, 8, 144);
  memory.fill(LENGTHS + 144, 9, 112);
  memory.fill(LENGTHS + 256, 7, 24);
  memory.fill(LENGTHS + 280, 8, 8);
  build(LIT_T, LIT_ROOT, LENGTHS, 288);
  memory.fill(LENGTHS, 5, 30);
  build(DIST_T, DIST_ROOT, LENGTHS, 30);
}

/** A dynamic block's code lengths → the two tables: 0, ENDED (the data ran out) or a refusal. */
function dynamicCodes(): i32 {
  const nlit = take(5) + 257;
  const ndist = take(5) + 1;
  const nclen = take(4) + 4;
  if (nlit > 286 || ndist > 30) return fail(E_COUNTS, nlit, ndist);
  memory.fill(LENGTHS, 0, 19);
  for (let i = 0; i < nclen; i++) store<u8>(LENGTHS + <usize>load<u8>(CLEN_ORDER + <usize>i), <u8>take(3));
  if (truncated()) return ENDED;
  if (!build(CLEN_T, 7, LENGTHS, 19)) return fail(E_OVERSUBSCRIBED, 0, 0);
  const all = LENGTHS + 19;
  const total = nlit + ndist;
  for (let i = 0; i < total; ) {
    if (bitCount < 7) refill();
    const e = load<i32>(CLEN_T + ((<usize>bits & 127) << 2));
    const len = e & 15;
    if (len === 0) return fail(E_CLEN_CODE, 0, 0);
    bits >>= <u64>len;
    bitCount -= len;
    const sym = e >> 5;
    if (sym < 16) {
      store<u8>(all + <usize>i, <u8>sym);
      i++;
      continue;
    }
    let repeat: i32;
    let value: u8 = 0;
    if (sym === 16) {
      if (i === 0) return fail(E_REPEAT_FIRST, 0, 0);
      value = load<u8>(all + <usize>(i - 1));
      repeat = 3 + take(2);
    } else repeat = sym === 17 ? 3 + take(3) : 11 + take(7);
    if (i + repeat > total) return fail(E_REPEAT_PAST, 0, 0);
    memory.fill(all + <usize>i, value, <usize>repeat);
    i += repeat;
  }
  if (truncated()) return ENDED;
  if (load<u8>(all + 256) === 0) return fail(E_NO_END, 0, 0);
  if (!build(LIT_T, LIT_ROOT, all, nlit)) return fail(E_OVERSUBSCRIBED, 1, 0);
  if (!build(DIST_T, DIST_ROOT, all + <usize>nlit, ndist)) return fail(E_OVERSUBSCRIBED, 2, 0);
  return 0;
}

/**
 * The hot loop: a block's symbols up to its end-of-block code (BLOCK_END), or until a piece is ready, the input
 * runs low, the data runs out, or a refusal. The bit buffer, input cursor and output position live in locals and
 * are written back before every return.
 */
function codes(): i32 {
  let b = bits;
  let bc = bitCount;
  let p = pos;
  let o = op;
  const fa = flushAt;
  const safeEnd = last ? 0x7fffffff : end - MARGIN;
  let result = FAST_DONE;
  // The fast loop: with 16 bytes of input ahead no bit read can be past the end of the data, so it needs no
  // truncation checks, and every symbol starts with a branch-free refill to 56–63 bits, enough for a length and a
  // distance with their extra bits (15 + 5 + 15 + 13). The bits above `bc` are the stream's next bits, so OR-ing
  // them in again changes nothing.
  const fastEnd = last ? end - 16 : end - MARGIN;
  while (p <= fastEnd) {
    b |= load<u64>(IN + <usize>p) << <u64>bc;
    p += (63 - bc) >> 3;
    bc |= 56;
    let e = load<i32>(LIT_T + ((<usize>b & 1023) << 2));
    if (e & LINK) e = load<i32>(LIT_T + (<usize>((e >> 5) + (<i32>(b >> LIT_ROOT) & ((1 << (e & 15)) - 1))) << 2));
    let len = e & 15;
    b >>= <u64>len;
    bc -= len;
    if (len === 0) {
      result = fail(E_LIT_CODE, 0, 0);
      break;
    }
    const sym = e >> 5;
    if (sym < 256) {
      store<u8>(OUT + <usize>o, <u8>sym);
      o++;
      if (o > fa) {
        result = PIECE_READY;
        break;
      }
      // Photos are mostly literals: a second one from the same refill (41 bits or more are left).
      e = load<i32>(LIT_T + ((<usize>b & 1023) << 2));
      if (e & LINK) e = load<i32>(LIT_T + (<usize>((e >> 5) + (<i32>(b >> LIT_ROOT) & ((1 << (e & 15)) - 1))) << 2));
      if (e >> 5 < 256 && (e & 15) !== 0) {
        len = e & 15;
        b >>= <u64>len;
        bc -= len;
        store<u8>(OUT + <usize>o, <u8>(e >> 5));
        o++;
        if (o > fa) {
          result = PIECE_READY;
          break;
        }
      }
      continue;
    }
    if (sym === 256) {
      result = BLOCK_END;
      break;
    }
    if (sym > 285) {
      result = fail(E_LIT_SYMBOL, sym, 0);
      break;
    }
    const li = load<i32>(LEN_INFO + (<usize>(sym - 257) << 2));
    const lx = li >> 16;
    len = (li & 0xffff) + (<i32>b & ((1 << lx) - 1));
    b >>= <u64>lx;
    bc -= lx;
    let d = load<i32>(DIST_T + ((<usize>b & 255) << 2));
    if (d & LINK) d = load<i32>(DIST_T + (<usize>((d >> 5) + (<i32>(b >> DIST_ROOT) & ((1 << (d & 15)) - 1))) << 2));
    const dl = d & 15;
    b >>= <u64>dl;
    bc -= dl;
    if (dl === 0) {
      result = fail(E_DIST_CODE, 0, 0);
      break;
    }
    const ds = d >> 5;
    if (ds > 29) {
      result = fail(E_DIST_SYMBOL, ds, 0);
      break;
    }
    const di = load<i32>(DIST_INFO + (<usize>ds << 2));
    const dx = di >> 16;
    const distance = (di & 0xffff) + (<i32>b & ((1 << dx) - 1));
    b >>= <u64>dx;
    bc -= dx;
    if (distance > o) {
      result = fail(E_DIST_FAR, distance, 0);
      break;
    }
    o = copyMatch(o, distance, len);
    if (o > fa) {
      result = PIECE_READY;
      break;
    }
  }
  // Near the end of the data: the same, a refill and a truncation check at a time (zero bits past the end).
  if (result === FAST_DONE) {
    result = BLOCK_END;
    for (;;) {
      if (p > safeEnd) {
        result = NEED_INPUT;
        break;
      }
      // Enough for a length and a distance with their extra bits (15 + 5 + 15 + 13).
      if (bc < 48) {
        if (p + 8 <= end) {
          b |= load<u64>(IN + <usize>p) << <u64>bc;
          const n = (63 - bc) >> 3;
          p += n;
          bc += n << 3;
        } else {
          bits = b;
          bitCount = bc;
          pos = p;
          refillSlow();
          b = bits;
          bc = bitCount;
          p = pos;
        }
      }
      let e = load<i32>(LIT_T + ((<usize>b & 1023) << 2));
      if (e & LINK) e = load<i32>(LIT_T + (<usize>((e >> 5) + (<i32>(b >> LIT_ROOT) & ((1 << (e & 15)) - 1))) << 2));
      let len = e & 15;
      b >>= <u64>len;
      bc -= len;
      if (bc < missing) {
        result = ENDED;
        break;
      }
      if (len === 0) {
        result = fail(E_LIT_CODE, 0, 0);
        break;
      }
      const sym = e >> 5;
      if (sym < 256) {
        store<u8>(OUT + <usize>o, <u8>sym);
        o++;
        if (o > fa) {
          result = PIECE_READY;
          break;
        }
        continue;
      }
      if (sym === 256) break;
      if (sym > 285) {
        result = fail(E_LIT_SYMBOL, sym, 0);
        break;
      }
      const li = load<i32>(LEN_INFO + (<usize>(sym - 257) << 2));
      const lx = li >> 16;
      len = (li & 0xffff) + (<i32>b & ((1 << lx) - 1));
      b >>= <u64>lx;
      bc -= lx;
      let d = load<i32>(DIST_T + ((<usize>b & 255) << 2));
      if (d & LINK) d = load<i32>(DIST_T + (<usize>((d >> 5) + (<i32>(b >> DIST_ROOT) & ((1 << (d & 15)) - 1))) << 2));
      const dl = d & 15;
      b >>= <u64>dl;
      bc -= dl;
      if (bc < missing) {
        result = ENDED;
        break;
      }
      if (dl === 0) {
        result = fail(E_DIST_CODE, 0, 0);
        break;
      }
      const ds = d >> 5;
      if (ds > 29) {
        result = fail(E_DIST_SYMBOL, ds, 0);
        break;
      }
      const di = load<i32>(DIST_INFO + (<usize>ds << 2));
      const dx = di >> 16;
      const distance = (di & 0xffff) + (<i32>b & ((1 << dx) - 1));
      b >>= <u64>dx;
      bc -= dx;
      if (bc < missing) {
        result = ENDED;
        break;
      }
      if (distance > o) {
        result = fail(E_DIST_FAR, distance, 0);
        break;
      }
      o = copyMatch(o, distance, len);
      if (o > fa) {
        result = PIECE_READY;
        break;
      }
    }
  }
  bits = b;
  bitCount = bc;
  pos = p;
  op = o;
  if (result === NEED_INPUT) return needInput();
  if (result === PIECE_READY || result === ENDED) return handOut(result);
  return result;
}

/** Copies a match of `len` bytes from `distance` back to output position `o`; returns the position after it. */
// @ts-ignore: decorator
@inline function copyMatch(o: i32, distance: i32, len: i32): i32 {
  let to = OUT + <usize>o;
  let from = to - <usize>distance;
  const stop = to + <usize>len;
  if (distance >= 8) {
    // 8 bytes at a time: each load reads only bytes already written; the last may write up to 7 bytes past the
    // match, into space the next output overwrites.
    for (; to < stop; to += 8, from += 8) store<u64>(to, load<u64>(from));
  } else if (distance === 1) memory.fill(to, load<u8>(from), <usize>len);
  else for (; to < stop; to++, from++) store<u8>(to, load<u8>(from));
  return o + len;
}

/**
 * The next complete scanline of the piece handed out, unfiltered (its address at P_ROW): 1; 0 once the piece is
 * used up (a partial line waits for the next piece); −1 for an unknown filter type (in P_DETAIL). `lineLength`:
 * the current pass's scanline bytes, filter byte included; `newPass`: the previous line was the last of a pass,
 * so this one is unfiltered against zeros; `wanted`: when compositing, whether to composite this row (then P_ROW
 * is the composited row's address, not the scanline's).
 */
export function nextRow(lineLength: i32, newPass: i32, wanted: i32): i32 {
  if (swapPending) {
    const t = line;
    line = previous;
    previous = t;
    swapPending = false;
  }
  if (newPass) memory.fill(previous, 0, <usize>maxLine);
  while (cursor < pieceEnd) {
    const n = min(lineLength - filled, pieceEnd - cursor);
    memory.copy(line + <usize>filled, OUT + <usize>cursor, <usize>n);
    filled += n;
    cursor += n;
    if (filled === lineLength) {
      filled = 0;
      const filter = <i32>load<u8>(line);
      if (filter > 4) return fail(-1, filter, 0);
      unfilter(filter, line, previous, lineLength);
      swapPending = true;
      if (composite && wanted) {
        compositeRow(line + 1, (lineLength - 1) / composite);
        store<i32>(PARAMS + P_ROW, <i32>row);
      } else store<i32>(PARAMS + P_ROW, <i32>line);
      return 1;
    }
  }
  return 0;
}

/** scanline.ts's unfilter: `cur` (filter byte first, `n` bytes) against the previous unfiltered line. */
function unfilter(filter: i32, cur: usize, prev: usize, n: i32): void {
  const s = step;
  if ((s === 3 || s === 4) && (filter === 1 || filter >= 3)) {
    unfilterPixels(filter, cur, prev, n, s === 4 ? 0xffffffff : 0x00ffffff);
    return;
  }
  const first = min(n, 1 + s);
  if (filter === 1) {
    for (let i = 1 + s; i < n; i++) store<u8>(cur + <usize>i, load<u8>(cur + <usize>i) + load<u8>(cur + <usize>(i - s)));
  } else if (filter === 2) {
    let i = 1;
    for (; i + 16 <= n; i += 16) {
      const at = <usize>i;
      v128.store(cur + at, i8x16.add(v128.load(cur + at), v128.load(prev + at)));
    }
    for (; i < n; i++) store<u8>(cur + <usize>i, load<u8>(cur + <usize>i) + load<u8>(prev + <usize>i));
  } else if (filter === 3) {
    for (let i = 1; i < first; i++) store<u8>(cur + <usize>i, load<u8>(cur + <usize>i) + (load<u8>(prev + <usize>i) >> 1));
    for (let i = first; i < n; i++) {
      const avg = (<i32>load<u8>(cur + <usize>(i - s)) + <i32>load<u8>(prev + <usize>i)) >> 1;
      store<u8>(cur + <usize>i, <u8>(<i32>load<u8>(cur + <usize>i) + avg));
    }
  } else if (filter === 4) {
    // With no pixel to the left, a = c = 0 and Paeth predicts b.
    for (let i = 1; i < first; i++) store<u8>(cur + <usize>i, load<u8>(cur + <usize>i) + load<u8>(prev + <usize>i));
    for (let i = first; i < n; i++) {
      const a = <i32>load<u8>(cur + <usize>(i - s));
      const b = <i32>load<u8>(prev + <usize>i);
      const c = <i32>load<u8>(prev + <usize>(i - s));
      const pa = abs(b - c);
      const pb = abs(a - c);
      const pc = abs(a + b - c - c);
      const predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      store<u8>(cur + <usize>i, <u8>(<i32>load<u8>(cur + <usize>i) + predicted));
    }
  }
}

// @ts-ignore: decorator
@inline function over(c: u32, a: u32): u32 {
  return (c * a + 255 * (255 - a) + 127) / 255;
}

/** scanline.ts's toOutputRow for 8-bit gray + alpha and RGBA: colour composited over white (alpha.ts), into `row`. */
function compositeRow(from: usize, width: i32): void {
  let to = row;
  if (composite === 4) {
    // Each pixel is stored as 4 bytes and the next overwrites the 4th: `row` has room for one byte more.
    for (let x = 0; x < width; x++, from += 4, to += 3) {
      const px = load<u32>(from);
      const a = px >>> 24;
      if (a === 255) store<u32>(to, px);
      else {
        store<u8>(to, <u8>over(px & 255, a));
        store<u8>(to, <u8>over((px >>> 8) & 255, a), 1);
        store<u8>(to, <u8>over((px >>> 16) & 255, a), 2);
      }
    }
  } else {
    for (let x = 0; x < width; x++, from += 2, to++) store<u8>(to, <u8>over(load<u8>(from), load<u8>(from, 1)));
  }
}

// @ts-ignore: decorator
@inline function addBytes(x: u32, y: u32): u32 {
  return ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & 0x80808080);
}

/** floor((a + b) / 2) in each byte. */
// @ts-ignore: decorator
@inline function averageBytes(a: u32, b: u32): u32 {
  return (a & b) + (((a ^ b) & 0xfefefefe) >>> 1);
}

/**
 * Sub, Average and Paeth (filters 1, 3, 4) a pixel at a time for 3- and 4-byte pixels (8-bit RGB and RGBA), the
 * same bytes as the loops above: 4-byte loads, `mask` keeping a 3-byte pixel's bytes (the 4th byte is written back
 * as it was read; the buffers have room past each line).
 */
function unfilterPixels(filter: i32, cur: usize, prev: usize, n: i32, mask: u32): void {
  const end = cur + <usize>n;
  const s: usize = mask === 0xffffffff ? 4 : 3;
  let at = cur + 1;
  let up = prev + 1;
  if (filter === 1 || filter === 3) {
    let left: u32 = 0;
    for (; at < end; at += s, up += s) {
      const x = load<u32>(at);
      const v = addBytes(x, filter === 1 ? left : averageBytes(left, load<u32>(up))) & mask;
      store<u32>(at, v | (x & ~mask));
      left = v;
    }
    return;
  }
  // Paeth in 16-bit lanes: pa = |b − c|, pb = |a − c|, pc = |a + b − 2c|; a on ties, then b.
  let a = i16x8.splat(0);
  let c = i16x8.splat(0);
  for (; at < end; at += s, up += s) {
    const x = load<u32>(at);
    const b = i16x8.extend_low_i8x16_u(v128.load32_zero(up));
    const pa = i16x8.abs(i16x8.sub(b, c));
    const pb = i16x8.abs(i16x8.sub(a, c));
    const pc = i16x8.abs(i16x8.sub(i16x8.add(a, b), i16x8.add(c, c)));
    const useA = v128.and(i16x8.le_s(pa, pb), i16x8.le_s(pa, pc));
    const predicted = v128.bitselect(a, v128.bitselect(b, c, i16x8.le_s(pb, pc)), useA);
    const p = <u32>i32x4.extract_lane(i8x16.narrow_i16x8_u(predicted, predicted), 0);
    const v = addBytes(x, p) & mask;
    store<u32>(at, v | (x & ~mask));
    a = i16x8.extend_low_i8x16_u(i32x4.splat(<i32>v));
    c = b;
  }
}
