// Convolution as a tiled implicit GEMM: one kernel template, three problems.
//
//   forward  y[pixel, co]      = Σ_(kh,kw,ci)  x[pixel·s + (kh,kw) − pad, ci] · W[kh,kw,ci,co]
//            epilogue: per-tile Σy and Σy² per channel (BatchNorm statistics, finished by bn_finalize)
//   dgrad    dx[pixel', ci]    = Σ_(kh,kw,co)  dz[(pixel' + pad − (kh,kw)) / s, co] · W[kh,kw,ci,co]
//            taps where the division is not exact are skipped (no zero-upsampled copy of dz)
//   wgrad    dW[(kh,kw,ci), co] = Σ_pixel     x[pixel·s + (kh,kw) − pad, ci] · dz[pixel, co]
//            split-K over pixels: each split writes its own slice of the gradient buffer and the optimizer sums them
//
// dz, the gradient at the conv output, is never stored: the BatchNorm backward map
// dz = a·d + b·(y − μ) + k (per-channel a, b, k from bn_backward_finalize) is applied while loading a tile.
// Tiles: BM×BN outputs per workgroup of (BN/4)×16 threads, each thread 4×4 outputs strided by the thread grid
// (coalesced stores), BK = 16 deep, both operands staged in workgroup memory.
import type { Geometry } from '../plan.ts';
import { STEP_STRUCT } from './common.wgsl.ts';

export type GemmMode = 'forward' | 'dgrad' | 'wgrad';
export type DgradEpilogue = 'write' | 'accumulate' | 'add';

export const GEMM_BM = 64;
export const GEMM_BK = 16;

export interface GemmSpec {
  mode: GemmMode;
  geo: Geometry;
  /** Offset of the conv kernel in the flat parameter buffer. */
  kernelOffset: number;
  /** Splits of the wgrad reduction and the parameter count P (slice s starts at s·P). */
  splits: number;
  paramCount: number;
  epilogue?: DgradEpilogue;
}

/** Tile width: the narrowest of 16/32/64 that covers the output channels (a 16-channel layer wastes nothing). */
export function gemmTileN(spec: Pick<GemmSpec, 'mode' | 'geo'>): number {
  const cols = spec.mode === 'dgrad' ? spec.geo.cIn : spec.geo.cOut;
  return cols <= 16 ? 16 : cols <= 32 ? 32 : 64;
}

/** Workgroups for batch `n`: [x over columns, y over rows, z over splits]. */
export function gemmGrid(spec: GemmSpec, n: number): [number, number, number] {
  const g = spec.geo;
  const bn = gemmTileN(spec);
  if (spec.mode === 'forward') return [Math.ceil(g.cOut / bn), Math.ceil((n * g.hOut * g.wOut) / GEMM_BM), 1];
  if (spec.mode === 'dgrad') return [Math.ceil(g.cIn / bn), Math.ceil((n * g.hIn * g.wIn) / GEMM_BM), 1];
  return [Math.ceil(g.cOut / bn), Math.ceil((g.k * g.k * g.cIn) / GEMM_BM), spec.splits];
}

const DZ = /* wgsl */ `
fn dz(p: u32, c: u32) -> f32 {
  return coef[c] * d[p * CO + c] + coef[CO + c] * (y[p * CO + c] - coef[3u * CO + c]) + coef[2u * CO + c];
}`;

function bindings(spec: GemmSpec): string {
  switch (spec.mode) {
    case 'forward':
      return `
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;`;
    case 'dgrad':
      return `
@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> coef: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
${spec.epilogue === 'add' ? '@group(0) @binding(6) var<storage, read> addend: array<f32>;' : ''}`;
    case 'wgrad':
      return `
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> d: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read> coef: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;`;
  }
}

/** The image-patch element of input pixel (nimg, ho·s + kh − pad, wo·s + kw − pad), 0 in the padding. */
const PATCH = /* wgsl */ `
fn imagePatch(p: u32, kh: u32, kw: u32, ci: u32) -> f32 {
  let nimg = p / (HO * WO);
  let pr = p % (HO * WO);
  let hi = i32((pr / WO) * S + kh) - PT;
  let wi = i32((pr % WO) * S + kw) - PL;
  if (hi < 0 || wi < 0 || hi >= i32(H) || wi >= i32(W)) { return 0.0; }
  return x[((nimg * H + u32(hi)) * W + u32(wi)) * CI + ci];
}`;

function loaders(spec: GemmSpec): string {
  switch (spec.mode) {
    case 'forward':
      return `${PATCH}
fn loadA(row: u32, k: u32) -> f32 {
  let kh = k / (K * CI);
  let r = k % (K * CI);
  return imagePatch(row, kh, r / CI, r % CI);
}
fn loadB(k: u32, col: u32) -> f32 { return params[KOFF + k * CO + col]; }`;
    case 'dgrad':
      return `${DZ}
fn loadA(row: u32, k: u32) -> f32 {
  let kh = k / (K * CO);
  let r = k % (K * CO);
  let kw = r / CO;
  let co = r % CO;
  let nimg = row / (H * W);
  let pr = row % (H * W);
  let th = i32(pr / W) + PT - i32(kh);
  let tw = i32(pr % W) + PL - i32(kw);
  if (th < 0 || tw < 0 || th % i32(S) != 0 || tw % i32(S) != 0) { return 0.0; }
  let ho = u32(th) / S;
  let wo = u32(tw) / S;
  if (ho >= HO || wo >= WO) { return 0.0; }
  return dz((nimg * HO + ho) * WO + wo, co);
}
fn loadB(k: u32, col: u32) -> f32 {
  let tap = k / CO;
  let co = k % CO;
  return params[KOFF + (tap * CI + col) * CO + co];
}`;
    case 'wgrad':
      return `${PATCH}${DZ}
fn loadA(row: u32, k: u32) -> f32 {
  let kh = row / (K * CI);
  let r = row % (K * CI);
  return imagePatch(k, kh, r / CI, r % CI);
}
fn loadB(k: u32, col: u32) -> f32 { return dz(k, col); }`;
  }
}

function epilogue(spec: GemmSpec): string {
  const store = (value: string) => {
    if (spec.mode === 'forward') return `out[r * CO + c] = ${value};`;
    if (spec.mode === 'wgrad') return `out[wid.z * PARAMS + KOFF + r * CO + c] = ${value};`;
    const i = 'r * CI + c';
    if (spec.epilogue === 'accumulate') return `out[${i}] = out[${i}] + ${value};`;
    if (spec.epilogue === 'add') return `out[${i}] = addend[${i}] + ${value};`;
    return `out[${i}] = ${value};`;
  };
  const stores = /* wgsl */ `
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y + i * TY;
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x + j * TX;
      if (r < rows && c < COLS) { ${store('acc[i][j]')} }
    }
  }`;
  if (spec.mode !== 'forward') return stores;
  // Rows past the end hold zeros (their A loads were zero), so the sums need no mask.
  return `${stores}
  for (var j = 0u; j < 4u; j++) {
    var s = 0.0;
    var q = 0.0;
    for (var i = 0u; i < 4u; i++) { s += acc[i][j]; q += acc[i][j] * acc[i][j]; }
    redS[lid.y * BN + lid.x + j * TX] = s;
    redQ[lid.y * BN + lid.x + j * TX] = q;
  }
  workgroupBarrier();
  if (tid < BN) {
    var s = 0.0;
    var q = 0.0;
    for (var t = 0u; t < TY; t++) { s += redS[t * BN + tid]; q += redQ[t * BN + tid]; }
    let c = col0 + tid;
    if (c < CO) {
      partials[wid.y * 2u * CO + c] = s;
      partials[wid.y * 2u * CO + CO + c] = q;
    }
  }`;
}

export function gemmShader(spec: GemmSpec): string {
  const g = spec.geo;
  const bn = gemmTileN(spec);
  const cols = spec.mode === 'dgrad' ? 'CI' : 'CO';
  const rows = spec.mode === 'forward' ? 'step.n * HO * WO' : spec.mode === 'dgrad' ? 'step.n * H * W' : 'K * K * CI';
  const depth = spec.mode === 'forward' ? 'K * K * CI' : spec.mode === 'dgrad' ? 'K * K * CO' : 'step.n * HO * WO';
  // Which operand index runs along contiguous memory decides how threads walk a tile (coalesced loads).
  const aAlongRows = spec.mode === 'wgrad';
  const bAlongCols = spec.mode !== 'dgrad';
  const range =
    spec.mode === 'wgrad'
      ? `let chunk = ((depth + SPLITS - 1u) / SPLITS + BK - 1u) / BK * BK;
  let kBegin = min(wid.z * chunk, depth);
  let kEnd = min(kBegin + chunk, depth);`
      : 'let kBegin = 0u;\n  let kEnd = depth;';
  return /* wgsl */ `${STEP_STRUCT}
const H = ${g.hIn}u; const W = ${g.wIn}u; const CI = ${g.cIn}u;
const HO = ${g.hOut}u; const WO = ${g.wOut}u; const CO = ${g.cOut}u;
const K = ${g.k}u; const S = ${g.stride}u; const PT = ${g.padTop}; const PL = ${g.padLeft};
const KOFF = ${spec.kernelOffset}u; const PARAMS = ${spec.paramCount}u; const SPLITS = ${spec.splits}u;
const COLS = ${cols};
const BM = ${GEMM_BM}u; const BN = ${bn}u; const BK = ${GEMM_BK}u;
const TX = BN / 4u; const TY = 16u; const T = TX * TY;
${bindings(spec)}
var<workgroup> As: array<f32, ${GEMM_BK * GEMM_BM}>;
var<workgroup> Bs: array<f32, ${GEMM_BK * bn}>;
${spec.mode === 'forward' ? `var<workgroup> redS: array<f32, ${16 * bn}>;\nvar<workgroup> redQ: array<f32, ${16 * bn}>;` : ''}
${loaders(spec)}

@compute @workgroup_size(${bn / 4}, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let rows = ${rows};
  let depth = ${depth};
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  ${range}
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = kBegin; k0 < kEnd; k0 += BK) {
    for (var e = tid; e < BK * BM; e += T) {
      let kk = ${aAlongRows ? 'e / BM' : 'e % BK'};
      let mm = ${aAlongRows ? 'e % BM' : 'e / BK'};
      var v = 0.0;
      if (k0 + kk < kEnd && row0 + mm < rows) { v = loadA(row0 + mm, k0 + kk); }
      As[kk * BM + mm] = v;
    }
    for (var e = tid; e < BK * BN; e += T) {
      let kk = ${bAlongCols ? 'e / BN' : 'e % BK'};
      let nn = ${bAlongCols ? 'e % BN' : 'e / BK'};
      var v = 0.0;
      if (k0 + kk < kEnd && col0 + nn < COLS) { v = loadB(k0 + kk, col0 + nn); }
      Bs[kk * BN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = As[kk * BM + lid.y + i * TY]; }
      for (var j = 0u; j < 4u; j++) { b[j] = Bs[kk * BN + lid.x + j * TX]; }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i][j] = fma(a[i], b[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  ${epilogue(spec)}
}
`;
}
