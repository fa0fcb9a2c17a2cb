// BatchNorm in training mode, around the convolutions of gemm.wgsl.ts:
//
//   bn_finalize            per channel: Σy, Σy² of the conv's tile partials → μ, σ² (biased, as tf.moments),
//                          scale γ/√(σ²+ε), shift β − scale·μ; moving statistics updated (Keras' momentum rule)
//   apply                  out = [ReLU](Σ_branches scale·y + shift  +  identity): BN-apply, residual add and ReLU
//                          in one pass over memory
//   bn_backward_reduce     d = g·[out > 0] (written once per apply node) and per-chunk Σd, Σd·(y − μ)
//   bn_backward_finalize   dγ = s·Σd(y−μ), dβ = Σd into the gradient buffer, and the coefficients a, b, k of
//                          dz = a·d + b·(y − μ) + k that the dgrad/wgrad GEMMs apply while loading
//
// Coefficient buffers hold four rows of C floats: forward [scale, shift, μ, s], backward [a, b, k, μ].
import { FLAT_INDEX, STEP_STRUCT } from './common.wgsl.ts';

export const FINALIZE_WORKGROUP = 64;
/** Rows (pixels) per workgroup of bn_backward_reduce. */
export const REDUCE_ROWS = 256;

export interface FinalizeSpec {
  channels: number;
  /** Pixels of one image at the conv output (count = n · pixels). */
  pixels: number;
  /** Rows covered by one partial: the GEMM's BM (forward) or REDUCE_ROWS (backward). */
  rowsPerPartial: number;
  epsilon: number;
  momentum: number;
  gammaOffset: number;
  betaOffset: number;
  meanOffset: number;
  varianceOffset: number;
}

const f = (v: number) => (Number.isInteger(v) ? `${v}.0` : `${v}`);

function finalizeHead(s: FinalizeSpec): string {
  return /* wgsl */ `${STEP_STRUCT}
const C = ${s.channels}u;
const WG = ${FINALIZE_WORKGROUP}u;
var<workgroup> redA: array<f32, ${FINALIZE_WORKGROUP}>;
var<workgroup> redB: array<f32, ${FINALIZE_WORKGROUP}>;

fn reducePartials(c: u32, lid: u32, parts: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var t = lid; t < parts; t += WG) { a += partials[t * 2u * C + c]; b += partials[t * 2u * C + C + c]; }
  redA[lid] = a;
  redB[lid] = b;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { redA[lid] += redA[lid + half]; redB[lid] += redB[lid + half]; }
    workgroupBarrier();
  }
}`;
}

export function bnFinalizeShader(s: FinalizeSpec): string {
  return /* wgsl */ `${finalizeHead(s)}
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> coef: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;

@compute @workgroup_size(${FINALIZE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let count = step.n * ${s.pixels}u;
  reducePartials(c, lid, (count + ${s.rowsPerPartial - 1}u) / ${s.rowsPerPartial}u);
  if (lid == 0u) {
    let mean = redA[0] / f32(count);
    let variance = max(redB[0] / f32(count) - mean * mean, 0.0);
    let inv = inverseSqrt(variance + ${f(s.epsilon)});
    let scale = params[${s.gammaOffset}u + c] * inv;
    coef[c] = scale;
    coef[C + c] = params[${s.betaOffset}u + c] - scale * mean;
    coef[2u * C + c] = mean;
    coef[3u * C + c] = inv;
    let m = stats[${s.meanOffset}u + c];
    let v = stats[${s.varianceOffset}u + c];
    stats[${s.meanOffset}u + c] = m - (m - mean) * ${f(1 - s.momentum)};
    stats[${s.varianceOffset}u + c] = v - (v - variance) * ${f(1 - s.momentum)};
  }
}
`;
}

export function bnBackwardFinalizeShader(s: FinalizeSpec): string {
  return /* wgsl */ `${finalizeHead(s)}
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> coefF: array<f32>;
@group(0) @binding(4) var<storage, read_write> coef: array<f32>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(${FINALIZE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let count = step.n * ${s.pixels}u;
  reducePartials(c, lid, (count + ${s.rowsPerPartial - 1}u) / ${s.rowsPerPartial}u);
  if (lid == 0u) {
    let sumD = redA[0];
    let sumDXc = redB[0];
    let inv = coefF[3u * C + c];
    let a = params[${s.gammaOffset}u + c] * inv;
    let m = f32(count);
    coef[c] = a;
    coef[C + c] = -a * inv * inv * sumDXc / m;
    coef[2u * C + c] = -a * sumD / m;
    coef[3u * C + c] = coefF[2u * C + c];
    grads[${s.gammaOffset}u + c] = sumDXc * inv;
    grads[${s.betaOffset}u + c] = sumD;
  }
}
`;
}

/** One branch of an apply node: a BatchNorm'd conv output (y, forward coefficients) or an identity tensor. */
export type ApplyTermKind = 'bn' | 'identity';

export function applyShader(channels: number, pixels: number, terms: ApplyTermKind[], relu: boolean): string {
  let binding = 1;
  const decls: string[] = [];
  const parts: string[] = [];
  terms.forEach((t, i) => {
    if (t === 'bn') {
      decls.push(`@group(0) @binding(${binding++}) var<storage, read> y${i}: array<f32>;`);
      decls.push(`@group(0) @binding(${binding++}) var<storage, read> coef${i}: array<f32>;`);
      parts.push(`coef${i}[c] * y${i}[i] + coef${i}[C + c]`);
    } else {
      decls.push(`@group(0) @binding(${binding++}) var<storage, read> id${i}: array<f32>;`);
      parts.push(`id${i}[i]`);
    }
  });
  decls.push(`@group(0) @binding(${binding}) var<storage, read_write> out: array<f32>;`);
  const sum = parts.join(' + ');
  return /* wgsl */ `${STEP_STRUCT}${FLAT_INDEX}
const C = ${channels}u;
const COUNT_PER_IMAGE = ${pixels * channels}u;
${decls.join('\n')}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, lid);
  if (i >= step.n * COUNT_PER_IMAGE) { return; }
  let c = i % C;
  out[i] = ${relu ? `max(${sum}, 0.0)` : sum};
}
`;
}

export interface ReduceSpec {
  channels: number;
  /** Pixels of one image. */
  pixels: number;
  /** true: apply the ReLU mask from `out` to g and write d; false: read the already-masked d. */
  mask: boolean;
  relu: boolean;
}

/** Channels per workgroup column block and rows per thread column, 256 threads in all. */
export function reduceLayout(channels: number): { ct: number; rt: number } {
  const ct = Math.min(channels, 64);
  return { ct, rt: Math.floor(256 / ct) };
}

export function bnBackwardReduceShader(s: ReduceSpec): string {
  const { ct, rt } = reduceLayout(s.channels);
  const io = s.mask
    ? `@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> act: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read> coefF: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;
@group(0) @binding(6) var<storage, read_write> d: array<f32>;`
    : `@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> coefF: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;`;
  const load = s.mask
    ? `var v = g[i];
      ${s.relu ? 'if (act[i] <= 0.0) { v = 0.0; }' : ''}
      d[i] = v;`
    : 'let v = d[i];';
  return /* wgsl */ `${STEP_STRUCT}
const C = ${s.channels}u;
const CT = ${ct}u;
const RT = ${rt}u;
const ROWS = ${REDUCE_ROWS}u;
${io}
var<workgroup> redA: array<f32, ${ct * rt}>;
var<workgroup> redB: array<f32, ${ct * rt}>;

@compute @workgroup_size(${ct}, ${rt})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * CT + lid.x;
  let rows = step.n * ${s.pixels}u;
  let r0 = wid.y * ROWS;
  let r1 = min(r0 + ROWS, rows);
  var a = 0.0;
  var b = 0.0;
  if (c < C) {
    let mu = coefF[2u * C + c];
    for (var r = r0 + lid.y; r < r1; r += RT) {
      let i = r * C + c;
      ${load}
      a += v;
      b += v * (y[i] - mu);
    }
  }
  redA[lid.y * CT + lid.x] = a;
  redB[lid.y * CT + lid.x] = b;
  workgroupBarrier();
  if (lid.y == 0u && c < C) {
    var sa = 0.0;
    var sb = 0.0;
    for (var t = 0u; t < RT; t++) { sa += redA[t * CT + lid.x]; sb += redB[t * CT + lid.x]; }
    partials[wid.y * 2u * C + c] = sa;
    partials[wid.y * 2u * C + C + c] = sb;
  }
}
`;
}
