// Convolution as a tiled implicit GEMM: one kernel template, three problems.
//
//   forward  y[pixel, co]      = Σ_(kh,kw,ci)  x[pixel·s + (kh,kw) − pad, ci] · W[kh,kw,ci,co]
//            epilogue: per-tile Σy and Σy² per channel (BatchNorm statistics, finished by bn_finalize)
//   dgrad    dx[pixel', ci]    = Σ_(kh,kw,co)  dz[(pixel' + pad − (kh,kw)) / s, co] · W[kh,kw,ci,co]
//            taps where the division is not exact are skipped (no zero-upsampled copy of dz)
//   wgrad    dW[(kh,kw,ci), co] = Σ_pixel     x[pixel·s + (kh,kw) − pad, ci] · dz[pixel, co]
//            split-K over pixels: each split writes its own slice of the gradient buffer and the optimizer sums them
//
// dz, the gradient at the conv output, is no tensor of its own: the BatchNorm backward map
// dz = a·d + b·(y − μ) + k (per-channel a, b, k from bn_backward_finalize) is applied while wgrad stages its
// tile (and the generic dgrad its own); wgrad also leaves it in one scratch buffer for the aligned dgrad.
// Tiles: BM×BN outputs per workgroup of (BN/4)×(BM/4) threads (gemmTile), each thread 4×4 outputs strided by
// the thread grid (coalesced stores), BK = 16 deep, both operands staged in workgroup memory. A thread's 4×4 accumulators are
// four vec4s and the stores are unrolled here in TypeScript: dynamically indexed private arrays made lavapipe's
// LLVM take ~30 s per pipeline, the vec4 form ~2–5 s. The layer's shapes and offsets come from the uniform
// block `L` (common.wgsl.ts), so every conv of a network with the same mode and tile shape shares a pipeline.
//
// The aligned paths (gemmPath): when a K tile of 16 lies inside one filter tap (the channels it runs over are a
// multiple of 16, true of every ResNet conv but the stem), a thread decomposes its tile row into image
// coordinates once, before the K loop, and each tile costs three divisions by uniform values instead of ~10
// per element: on lavapipe a division by a non-constant is a scalar loop over the SIMD lanes, and the generic
// loaders spent most of the GEMMs' time there. The aligned dgrad also
//   - reads dz from a buffer the conv's wgrad writes as it stages it (no dz recomputed k² times, no extra dispatch);
//   - splits the input pixels into s² classes by their position modulo the stride: a class's pixels receive
//     gradient from the same taps only, so a strided dgrad loops over 1/s² of the taps instead of multiplying
//     3/4 of its A tile by zero (the rows of a workgroup all belong to one class).
import type { Geometry } from '../plan.ts';
import { enableFor, layerUniform, STEP_STRUCT, type ActivationStorage, type Kernel } from './common.wgsl.ts';

export type GemmMode = 'forward' | 'dgrad' | 'wgrad';
export type DgradEpilogue = 'write' | 'accumulate' | 'add';

/** The tallest tile (rows); gemmTile picks 16 or 32 for layers with fewer rows. */
export const GEMM_BM = 64;
export const GEMM_BK = 16;

export interface GemmSpec {
  mode: GemmMode;
  geo: Geometry;
  /** The planned (largest) batch: tile shapes follow the row count it gives. */
  batch: number;
  /** Offset of the conv kernel in the flat parameter buffer. */
  kernelOffset: number;
  /** Splits of the wgrad reduction (wgradSplits) and the parameter count P (slice s starts at s·P). */
  splits: number;
  paramCount: number;
  epilogue?: DgradEpilogue;
  /** How y, the conv output, is stored (default f32). */
  yStorage?: ActivationStorage;
  /** wgrad only: also store dz (binding 6) as it is staged, for the conv's aligned dgrad. */
  writeDz?: boolean;
  /** The widest tile allowed (16, 32 or 64 columns; the workgroup has BN/4 × 16 threads). */
  maxTileN: number;
}

/**
 * The tile: BM rows × BN columns. BM is the smallest of 16/32/64 that covers the GEMM's rows at the planned
 * batch (ResNet-18's last stage at 64×64 has 16 rows per conv: a 64-row tile would idle three quarters of its
 * threads); BN the narrowest of 16/32/64 covering the columns, within the area `maxTileN`·64 — the thread count
 * (BN/4 × BM/4), which drives lavapipe's compile time, never exceeds that of a 64 × maxTileN tile.
 */
export function gemmTile(spec: Pick<GemmSpec, 'mode' | 'geo' | 'maxTileN' | 'batch'>): { bm: number; bn: number } {
  const g = spec.geo;
  const rows =
    spec.mode === 'forward'
      ? spec.batch * g.hOut * g.wOut
      : spec.mode === 'wgrad'
        ? g.k * g.k * g.cIn
        : gemmPath(spec) === 'aligned'
          ? spec.batch * (g.hIn / g.stride) * (g.wIn / g.stride)
          : spec.batch * g.hIn * g.wIn;
  const cols = spec.mode === 'dgrad' ? g.cIn : g.cOut;
  const cover = (n: number) => (n <= 16 ? 16 : n <= 32 ? 32 : 64);
  const bm = cover(rows);
  return { bm, bn: Math.min(cover(cols), (spec.maxTileN * GEMM_BM) / bm, 64) };
}

/**
 * 'aligned' when a K tile stays inside one filter tap (and, for dgrad, the input divides into stride classes);
 * the generic loaders serve the rest (the stem's 3 input channels).
 */
export function gemmPath(spec: Pick<GemmSpec, 'mode' | 'geo'>): 'aligned' | 'generic' {
  const g = spec.geo;
  if (spec.mode === 'forward') return g.cIn % GEMM_BK === 0 ? 'aligned' : 'generic';
  if (spec.mode === 'dgrad')
    return g.cOut % GEMM_BK === 0 && g.hIn % g.stride === 0 && g.wIn % g.stride === 0 ? 'aligned' : 'generic';
  return 'generic';
}

/** Pixels a wgrad split should reduce at least: below that, more splits only add slices of zeros to write. */
export const MIN_SPLIT_PIXELS = 256;

/**
 * Split-K slices for a conv's wgrad: at most `maxSplits` (the gradient buffer's slices), and only as many as
 * give each MIN_SPLIT_PIXELS of the planned batch's output pixels. ResNet-18's last stage at 64×64, batch 4, has
 * 16 pixels: 16 splits there wrote 16 slices of 2.4 M floats, all but one of them zeros. A conv's unused slices
 * stay zero (cleared at import, never written), so the optimizer's sum over all slices is unchanged.
 */
export function wgradSplits(geo: Geometry, batch: number, maxSplits: number): number {
  return Math.max(1, Math.min(maxSplits, Math.floor((batch * geo.hOut * geo.wOut) / MIN_SPLIT_PIXELS)));
}

/** Workgroups for batch `n`: [x over columns, y over rows, z over splits]. */
export function gemmGrid(spec: GemmSpec, n: number): [number, number, number] {
  const g = spec.geo;
  const { bm, bn } = gemmTile(spec);
  if (spec.mode === 'forward') return [Math.ceil(g.cOut / bn), Math.ceil((n * g.hOut * g.wOut) / bm), 1];
  if (spec.mode === 'dgrad' && gemmPath(spec) === 'aligned') {
    const s = g.stride;
    return [Math.ceil(g.cIn / bn), s * s * Math.ceil((n * (g.hIn / s) * (g.wIn / s)) / bm), 1];
  }
  if (spec.mode === 'dgrad') return [Math.ceil(g.cIn / bn), Math.ceil((n * g.hIn * g.wIn) / bm), 1];
  return [Math.ceil(g.cOut / bn), Math.ceil((g.k * g.k * g.cIn) / bm), spec.splits];
}

const DZ = /* wgsl */ `
fn dz(p: u32, c: u32) -> f32 {
  let co = L.co;
  return coef[c] * d[p * co + c] + coef[co + c] * (f32(y[p * co + c]) - coef[3u * co + c]) + coef[2u * co + c];
}`;

function bindings(spec: GemmSpec): string {
  const aligned = gemmPath(spec) === 'aligned';
  const Y = spec.yStorage ?? 'f32';
  if (spec.mode === 'dgrad' && aligned)
    return `
@group(0) @binding(1) var<storage, read> dz4: array<vec4f>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${spec.epilogue === 'add' ? '@group(0) @binding(4) var<storage, read> addend: array<f32>;' : ''}`;
  switch (spec.mode) {
    case 'forward':
      return `
@group(0) @binding(1) var<storage, read> ${aligned ? 'x4: array<vec4f>' : 'x: array<f32>'};
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<${Y}>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;`;
    case 'dgrad':
      return `
@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<${Y}>;
@group(0) @binding(3) var<storage, read> coef: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
${spec.epilogue === 'add' ? '@group(0) @binding(6) var<storage, read> addend: array<f32>;' : ''}`;
    case 'wgrad':
      return `
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> d: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<${Y}>;
@group(0) @binding(4) var<storage, read> coef: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
${spec.writeDz ? '@group(0) @binding(6) var<storage, read_write> dzOut: array<f32>;' : ''}`;
  }
}

/** The image-patch element of input pixel (nimg, ho·s + kh − pad, wo·s + kw − pad), 0 in the padding. */
const PATCH = /* wgsl */ `
fn imagePatch(p: u32, kh: u32, kw: u32, ci: u32) -> f32 {
  let hw = L.ho * L.wo;
  let nimg = p / hw;
  let pr = p % hw;
  let hi = i32((pr / L.wo) * L.s + kh) - L.pt;
  let wi = i32((pr % L.wo) * L.s + kw) - L.pl;
  if (hi < 0 || wi < 0 || hi >= i32(L.h) || wi >= i32(L.w)) { return 0.0; }
  return x[((nimg * L.h + u32(hi)) * L.w + u32(wi)) * L.ci + ci];
}`;

function loaders(spec: GemmSpec): string {
  if (gemmPath(spec) === 'aligned') {
    if (spec.mode === 'forward') return `fn loadB(k: u32, col: u32) -> f32 { return params[L.koff + k * L.co + col]; }`;
    return `fn loadB(kh: u32, kw: u32, co: u32, col: u32) -> f32 {
  return params[L.koff + ((kh * L.k + kw) * L.ci + col) * L.co + co];
}`;
  }
  switch (spec.mode) {
    case 'forward':
      return `${PATCH}
fn loadA(row: u32, k: u32) -> f32 {
  let kci = L.k * L.ci;
  let kh = k / kci;
  let r = k % kci;
  return imagePatch(row, kh, r / L.ci, r % L.ci);
}
fn loadB(k: u32, col: u32) -> f32 { return params[L.koff + k * L.co + col]; }`;
    case 'dgrad':
      return `${DZ}
fn loadA(row: u32, k: u32) -> f32 {
  let kco = L.k * L.co;
  let kh = k / kco;
  let r = k % kco;
  let kw = r / L.co;
  let co = r % L.co;
  let hw = L.h * L.w;
  let nimg = row / hw;
  let pr = row % hw;
  let th = i32(pr / L.w) + L.pt - i32(kh);
  let tw = i32(pr % L.w) + L.pl - i32(kw);
  let s = i32(L.s);
  if (th < 0 || tw < 0 || th % s != 0 || tw % s != 0) { return 0.0; }
  let ho = u32(th / s);
  let wo = u32(tw / s);
  if (ho >= L.ho || wo >= L.wo) { return 0.0; }
  return dz((nimg * L.ho + ho) * L.wo + wo, co);
}
fn loadB(k: u32, col: u32) -> f32 {
  let tap = k / L.co;
  let co = k % L.co;
  return params[L.koff + (tap * L.ci + col) * L.co + co];
}`;
    case 'wgrad':
      return `${PATCH}${DZ}
fn loadA(row: u32, k: u32) -> f32 {
  let kci = L.k * L.ci;
  let kh = row / kci;
  let r = row % kci;
  return imagePatch(k, kh, r / L.ci, r % L.ci);
}
fn loadB(k: u32, col: u32) -> f32 { return dz(k, col); }`;
  }
}

const LANES = ['x', 'y', 'z', 'w'] as const;
/** Thread-local accumulator (i, j): row lid.y + i·TY, column lid.x + j·TX of the tile. */
const acc = (i: number, j: number) => `acc${i}.${LANES[j]}`;
const four = [0, 1, 2, 3] as const;

function epilogue(spec: GemmSpec): string {
  const store = (value: string) => {
    if (spec.mode === 'forward') return `out[r * L.co + c] = ${spec.yStorage ?? 'f32'}(${value});`;
    if (spec.mode === 'wgrad') return `out[wid.z * PARAMS + L.koff + r * L.co + c] = ${value};`;
    const i = 'p * L.ci + c';
    if (spec.epilogue === 'accumulate') return `out[${i}] = out[${i}] + ${value};`;
    if (spec.epilogue === 'add') return `out[${i}] = addend[${i}] + ${value};`;
    return `out[${i}] = ${value};`;
  };
  const stores = four
    .map(
      (i) => `  {
    let r = row0 + lid.y + ${i}u * TY;
    let p = ${spec.mode === 'dgrad' && gemmPath(spec) === 'aligned' ? 'classPixel(r, ph, pw)' : 'r'};
${four.map((j) => `    { let c = col0 + lid.x + ${j}u * TX; if (r < rows && c < cols) { ${store(acc(i, j))} } }`).join('\n')}
  }`,
    )
    .join('\n');
  if (spec.mode !== 'forward') return stores;
  // Rows past the end hold zeros (their A loads were zero), so the sums need no mask.
  const sums = four
    .map((j) => {
      const terms = four.map((i) => acc(i, j));
      return `  redS[lid.y * BN + lid.x + ${j}u * TX] = ${terms.join(' + ')};
  redQ[lid.y * BN + lid.x + ${j}u * TX] = ${terms.map((t) => `${t} * ${t}`).join(' + ')};`;
    })
    .join('\n');
  return `${stores}
${sums}
  workgroupBarrier();
  if (tid < BN) {
    var s = 0.0;
    var q = 0.0;
    for (var t = 0u; t < TY; t++) { s += redS[t * BN + tid]; q += redQ[t * BN + tid]; }
    let c = col0 + tid;
    if (c < L.co) {
      partials[wid.y * 2u * L.co + c] = s;
      partials[wid.y * 2u * L.co + L.co + c] = q;
    }
  }`;
}

/** The layer's shapes and kernel offset, as the shader reads them from `L`. */
function gemmLayer(spec: GemmSpec) {
  const g = spec.geo;
  return layerUniform([
    ['h', 'u32', g.hIn],
    ['w', 'u32', g.wIn],
    ['ci', 'u32', g.cIn],
    ['ho', 'u32', g.hOut],
    ['wo', 'u32', g.wOut],
    ['co', 'u32', g.cOut],
    ['k', 'u32', g.k],
    ['s', 'u32', g.stride],
    ['pt', 'i32', g.padTop],
    ['pl', 'i32', g.padLeft],
    ['koff', 'u32', spec.kernelOffset],
    ['splits', 'u32', spec.splits],
  ]);
}

/** The three ways a workgroup walks K and fills its A and B tiles, as WGSL: `setup` runs once, `loop` per K tile. */
interface KLoop {
  setup: string;
  loop: string;
}

/** A's tile: thread `tid` owns row `tid % BM` and AV consecutive K elements from `kpart` (vec4 loads). */
function alignedAFill(source: string, index: string, ok: string, av: number): string {
  const lanes = Array.from({ length: av / 4 }, (_, v) =>
    [
      `    var a${v} = vec4f(0.0);`,
      `    if (${ok}) { a${v} = ${source}[(${index}) / 4u + ${v}u]; }`,
      ...four.map((j) => `    As[(kpart + ${4 * v + j}u) * BM + mm] = a${v}.${LANES[j]};`),
    ].join('\n'),
  );
  return `  {\n${lanes.join('\n')}\n  }`;
}

/** B's tile, element by element: coalesced along columns (bAlongCols) or along K. */
function bFill(load: string, bAlongCols: boolean, valid: string, extra = ''): string {
  return `    for (var e = tid; e < BK * BN; e += T) {
      let kk = ${bAlongCols ? 'e / BN' : 'e % BK'};
      let nn = ${bAlongCols ? 'e % BN' : 'e / BK'};
      var v = 0.0;
      if (${valid}) { v = ${load};${extra} }
      Bs[kk * BN + nn] = v;
    }`;
}

function kLoop(spec: GemmSpec, av: number): KLoop {
  const aligned = gemmPath(spec) === 'aligned';
  if (spec.mode === 'forward' && aligned)
    return {
      setup: `  let mm = tid % BM;
  let kpart = tid / BM * AV;
  let arow = row0 + mm;
  let rowOk = arow < rows;
  let hw = L.ho * L.wo;
  let nimg = arow / hw;
  let pr = arow % hw;
  let hb = i32((pr / L.wo) * L.s) - L.pt;
  let wb = i32((pr % L.wo) * L.s) - L.pl;
  let tiles = depth / BK;`,
      loop: `  for (var t = 0u; t < tiles; t++) {
    let k0 = t * BK;
    let tap = k0 / L.ci;
    let c0 = k0 - tap * L.ci;
    let kh = tap / L.k;
    let kw = tap - kh * L.k;
    let hi = hb + i32(kh);
    let wi = wb + i32(kw);
    let ok = rowOk && hi >= 0 && wi >= 0 && hi < i32(L.h) && wi < i32(L.w);
${alignedAFill('x4', '((nimg * L.h + u32(hi)) * L.w + u32(wi)) * L.ci + c0 + kpart', 'ok', av)}
${bFill('loadB(k0 + kk, col0 + nn)', true, 'col0 + nn < cols')}`,
    };
  if (spec.mode === 'dgrad' && aligned)
    return {
      // Class (ph, pw) holds the input pixels (i·s + ph, j·s + pw); tap (kh, kw) reaches them from output pixel
      // (i + dh, j + dw) exactly when (ph + pt − kh) is a multiple of s, dh being that multiple.
      setup: `  let mm = tid % BM;
  let kpart = tid / BM * AV;
  let arow = row0 + mm;
  let rowOk = arow < rows;
  let nimg = arow / classHW;
  let pr = arow % classHW;
  let ai = i32(pr / wc);
  let aj = i32(pr % wc);
  let kh0 = (ph + u32(L.pt)) % L.s;
  let kw0 = (pw + u32(L.pl)) % L.s;
  let nth = select(0u, (L.k - kh0 + L.s - 1u) / L.s, kh0 < L.k);
  let ntw = select(0u, (L.k - kw0 + L.s - 1u) / L.s, kw0 < L.k);
  let chunks = L.co / BK;
  let tiles = nth * ntw * chunks;`,
      loop: `  for (var t = 0u; t < tiles; t++) {
    let tap = t / chunks;
    let c0 = (t - tap * chunks) * BK;
    let th = tap / ntw;
    let kh = kh0 + th * L.s;
    let kw = kw0 + (tap - th * ntw) * L.s;
    let ho = ai + (i32(ph) + L.pt - i32(kh)) / i32(L.s);
    let wo = aj + (i32(pw) + L.pl - i32(kw)) / i32(L.s);
    let ok = rowOk && ho >= 0 && wo >= 0 && ho < i32(L.ho) && wo < i32(L.wo);
${alignedAFill('dz4', '((nimg * L.ho + u32(ho)) * L.wo + u32(wo)) * L.co + c0 + kpart', 'ok', av)}
${bFill('loadB(kh, kw, c0 + kk, col0 + nn)', false, 'col0 + nn < cols')}`,
    };
  // Generic: any K element anywhere, its coordinates recomputed per element.
  const aAlongRows = spec.mode === 'wgrad';
  const bAlongCols = spec.mode !== 'dgrad';
  const range =
    spec.mode === 'wgrad'
      ? `  let chunk = ((depth + L.splits - 1u) / L.splits + BK - 1u) / BK * BK;
  let kBegin = min(wid.z * chunk, depth);
  let kEnd = min(kBegin + chunk, depth);`
      : '  let kBegin = 0u;\n  let kEnd = depth;';
  const storeDz = spec.writeDz ? ' if (wid.y == 0u) { dzOut[(k0 + kk) * L.co + col0 + nn] = v; }' : '';
  return {
    setup: range,
    loop: `  for (var k0 = kBegin; k0 < kEnd; k0 += BK) {
    for (var e = tid; e < BK * BM; e += T) {
      let kk = ${aAlongRows ? 'e / BM' : 'e % BK'};
      let mm = ${aAlongRows ? 'e % BM' : 'e / BK'};
      var v = 0.0;
      if (k0 + kk < kEnd && row0 + mm < rows) { v = loadA(row0 + mm, k0 + kk); }
      As[kk * BM + mm] = v;
    }
${bFill('loadB(k0 + kk, col0 + nn)', bAlongCols, 'k0 + kk < kEnd && col0 + nn < cols', storeDz)}`,
  };
}

export function gemmShader(spec: GemmSpec): Kernel {
  const { bm, bn } = gemmTile(spec);
  const threads = (bn / 4) * (bm / 4);
  const av = (GEMM_BK * bm) / threads;
  const layer = gemmLayer(spec);
  const classes = spec.mode === 'dgrad' && gemmPath(spec) === 'aligned';
  const cols = spec.mode === 'dgrad' ? 'L.ci' : 'L.co';
  const rows =
    spec.mode === 'forward'
      ? 'step.n * L.ho * L.wo'
      : classes
        ? 'step.n * classHW'
        : spec.mode === 'dgrad'
          ? 'step.n * L.h * L.w'
          : 'L.k * L.k * L.ci';
  const depth =
    spec.mode === 'forward' ? 'L.k * L.k * L.ci' : spec.mode === 'dgrad' ? 'L.k * L.k * L.co' : 'step.n * L.ho * L.wo';
  // An aligned dgrad's workgroup rows: the class-local rows of stride class `cls` (see kLoop).
  const rowStart = classes
    ? `let hc = L.h / L.s;
  let wc = L.w / L.s;
  let classHW = hc * wc;
  let perClass = (step.n * classHW + BM - 1u) / BM;
  let cls = wid.y / perClass;
  let ph = cls / L.s;
  let pw = cls % L.s;
  let row0 = (wid.y - cls * perClass) * BM;`
    : 'let row0 = wid.y * BM;';
  const classPixel = classes
    ? `
fn classPixel(r: u32, ph: u32, pw: u32) -> u32 {
  let hc = L.h / L.s;
  let wc = L.w / L.s;
  let pr = r % (hc * wc);
  return ((r / (hc * wc)) * L.h + (pr / wc) * L.s + ph) * L.w + (pr % wc) * L.s + pw;
}`
    : '';
  const loop = kLoop(spec, av);
  const code = /* wgsl */ `${enableFor(spec.yStorage ?? 'f32')}${STEP_STRUCT}
${layer.decl}
const PARAMS = ${spec.paramCount}u;
const BM = ${bm}u; const BN = ${bn}u; const BK = ${GEMM_BK}u; const AV = ${av}u;
const TX = BN / 4u; const TY = BM / 4u; const T = TX * TY;
${bindings(spec)}
var<workgroup> As: array<f32, ${GEMM_BK * bm}>;
var<workgroup> Bs: array<f32, ${GEMM_BK * bn}>;
${spec.mode === 'forward' ? `var<workgroup> redS: array<f32, ${(bm / 4) * bn}>;\nvar<workgroup> redQ: array<f32, ${(bm / 4) * bn}>;` : ''}
${loaders(spec)}
${classPixel}

@compute @workgroup_size(${bn / 4}, ${bm / 4})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) tid: u32) {
  ${rowStart}
  let rows = ${rows};
  let cols = ${cols};
  let depth = ${depth};
  let col0 = wid.x * BN;
${loop.setup}
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
${loop.loop}
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let ai = kk * BM + lid.y;
      let bi = kk * BN + lid.x;
      let a = vec4f(As[ai], As[ai + TY], As[ai + 2u * TY], As[ai + 3u * TY]);
      let b = vec4f(Bs[bi], Bs[bi + TX], Bs[bi + 2u * TX], Bs[bi + 3u * TX]);
      acc0 = fma(vec4f(a.x), b, acc0);
      acc1 = fma(vec4f(a.y), b, acc1);
      acc2 = fma(vec4f(a.z), b, acc2);
      acc3 = fma(vec4f(a.w), b, acc3);
    }
    workgroupBarrier();
  }
${epilogue(spec)}
}
`;
  return { code, layer: layer.data };
}
