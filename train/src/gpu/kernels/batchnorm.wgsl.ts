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
// Shapes, offsets and constants of a layer come from its uniform block `L` (common.wgsl.ts): one pipeline per
// kernel kind serves every BatchNorm of the network.
import {
  enableFor,
  FLAT_INDEX,
  layerUniform,
  STEP_STRUCT,
  type ActivationStorage,
  type Kernel,
} from './common.wgsl.ts';

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

function finalizeLayer(s: FinalizeSpec) {
  return layerUniform([
    ['c', 'u32', s.channels],
    ['pixels', 'u32', s.pixels],
    ['rowsPerPartial', 'u32', s.rowsPerPartial],
    ['gamma', 'u32', s.gammaOffset],
    ['beta', 'u32', s.betaOffset],
    ['mean', 'u32', s.meanOffset],
    ['variance', 'u32', s.varianceOffset],
    ['epsilon', 'f32', s.epsilon],
    ['keep', 'f32', 1 - s.momentum],
  ]);
}

function finalizeHead(decl: string): string {
  return /* wgsl */ `${STEP_STRUCT}
${decl}
const WG = ${FINALIZE_WORKGROUP}u;
var<workgroup> redA: array<f32, ${FINALIZE_WORKGROUP}>;
var<workgroup> redB: array<f32, ${FINALIZE_WORKGROUP}>;

fn reducePartials(c: u32, lid: u32, parts: u32) {
  var a = 0.0;
  var b = 0.0;
  let C = L.c;
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

export function bnFinalizeShader(s: FinalizeSpec): Kernel {
  const layer = finalizeLayer(s);
  const code = /* wgsl */ `${finalizeHead(layer.decl)}
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> coef: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;

@compute @workgroup_size(${FINALIZE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let C = L.c;
  let count = step.n * L.pixels;
  reducePartials(c, lid, (count + L.rowsPerPartial - 1u) / L.rowsPerPartial);
  if (lid == 0u) {
    let mean = redA[0] / f32(count);
    let variance = max(redB[0] / f32(count) - mean * mean, 0.0);
    let inv = inverseSqrt(variance + L.epsilon);
    let scale = params[L.gamma + c] * inv;
    coef[c] = scale;
    coef[C + c] = params[L.beta + c] - scale * mean;
    coef[2u * C + c] = mean;
    coef[3u * C + c] = inv;
    let m = stats[L.mean + c];
    let v = stats[L.variance + c];
    stats[L.mean + c] = m - (m - mean) * L.keep;
    stats[L.variance + c] = v - (v - variance) * L.keep;
  }
}
`;
  return { code, layer: layer.data };
}

export function bnBackwardFinalizeShader(s: FinalizeSpec): Kernel {
  const layer = finalizeLayer(s);
  const code = /* wgsl */ `${finalizeHead(layer.decl)}
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> coefF: array<f32>;
@group(0) @binding(4) var<storage, read_write> coef: array<f32>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(${FINALIZE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let C = L.c;
  let count = step.n * L.pixels;
  reducePartials(c, lid, (count + L.rowsPerPartial - 1u) / L.rowsPerPartial);
  if (lid == 0u) {
    let sumD = redA[0];
    let sumDXc = redB[0];
    let inv = coefF[3u * C + c];
    let a = params[L.gamma + c] * inv;
    let m = f32(count);
    coef[c] = a;
    coef[C + c] = -a * inv * inv * sumDXc / m;
    coef[2u * C + c] = -a * sumD / m;
    coef[3u * C + c] = coefF[2u * C + c];
    grads[L.gamma + c] = sumDXc * inv;
    grads[L.beta + c] = sumD;
  }
}
`;
  return { code, layer: layer.data };
}

/** One branch of an apply node: a BatchNorm'd conv output (y, forward coefficients) or an identity tensor. */
export type ApplyTermKind = 'bn' | 'identity';

export function applyShader(
  channels: number,
  pixels: number,
  terms: ApplyTermKind[],
  relu: boolean,
  yStorage: ActivationStorage = 'f32',
): Kernel {
  const layer = layerUniform([
    ['c', 'u32', channels],
    ['countPerImage', 'u32', pixels * channels],
  ]);
  let binding = 1;
  const decls: string[] = [];
  const parts: string[] = [];
  terms.forEach((t, i) => {
    if (t === 'bn') {
      decls.push(`@group(0) @binding(${binding++}) var<storage, read> y${i}: array<${yStorage}>;`);
      decls.push(`@group(0) @binding(${binding++}) var<storage, read> coef${i}: array<f32>;`);
      parts.push(`coef${i}[c] * f32(y${i}[i]) + coef${i}[L.c + c]`);
    } else {
      decls.push(`@group(0) @binding(${binding++}) var<storage, read> id${i}: array<f32>;`);
      parts.push(`id${i}[i]`);
    }
  });
  decls.push(`@group(0) @binding(${binding}) var<storage, read_write> out: array<f32>;`);
  const sum = parts.join(' + ');
  const code = /* wgsl */ `${enableFor(yStorage)}${STEP_STRUCT}${FLAT_INDEX}
${layer.decl}
${decls.join('\n')}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, lid);
  if (i >= step.n * L.countPerImage) { return; }
  let c = i % L.c;
  out[i] = ${relu ? `max(${sum}, 0.0)` : sum};
}
`;
  return { code, layer: layer.data };
}

export interface ReduceSpec {
  channels: number;
  /** Pixels of one image. */
  pixels: number;
  /** true: apply the ReLU mask from `out` to g and write d; false: read the already-masked d. */
  mask: boolean;
  relu: boolean;
  yStorage?: ActivationStorage;
}

/** Channels per workgroup column block and rows per thread column, 256 threads in all. */
export function reduceLayout(channels: number): { ct: number; rt: number } {
  const ct = Math.min(channels, 64);
  return { ct, rt: Math.floor(256 / ct) };
}

export function bnBackwardReduceShader(s: ReduceSpec): Kernel {
  const { ct, rt } = reduceLayout(s.channels);
  const layer = layerUniform([
    ['c', 'u32', s.channels],
    ['pixels', 'u32', s.pixels],
  ]);
  const Y = s.yStorage ?? 'f32';
  const io = s.mask
    ? `@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> act: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<${Y}>;
@group(0) @binding(4) var<storage, read> coefF: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;
@group(0) @binding(6) var<storage, read_write> d: array<f32>;`
    : `@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<${Y}>;
@group(0) @binding(3) var<storage, read> coefF: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;`;
  const load = s.mask
    ? `var v = g[i];
      ${s.relu ? 'if (act[i] <= 0.0) { v = 0.0; }' : ''}
      d[i] = v;`
    : 'let v = d[i];';
  const code = /* wgsl */ `${enableFor(Y)}${STEP_STRUCT}
${layer.decl}
const CT = ${ct}u;
const RT = ${rt}u;
const ROWS = ${REDUCE_ROWS}u;
${io}
var<workgroup> redA: array<f32, ${ct * rt}>;
var<workgroup> redB: array<f32, ${ct * rt}>;

@compute @workgroup_size(${ct}, ${rt})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let C = L.c;
  let c = wid.x * CT + lid.x;
  let rows = step.n * L.pixels;
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
      b += v * (f32(y[i]) - mu);
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
  return { code, layer: layer.data };
}
