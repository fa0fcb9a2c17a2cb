// Max-pooling (ResNet-18's 3×3/2 after the stem). Forward keeps the arg-max of each window (the first
// maximum in row-major window order, as TF.js does); backward gathers instead of scattering (WGSL has no
// float atomics): each input element sums the gradients of the few windows that chose it.
import type { Geometry } from '../plan.ts';
import { FLAT_INDEX, STEP_STRUCT } from './common.wgsl.ts';

function constants(g: Geometry): string {
  return `const H = ${g.hIn}u; const W = ${g.wIn}u; const C = ${g.cIn}u; const HO = ${g.hOut}u; const WO = ${g.wOut}u;
const K = ${g.k}; const S = ${g.stride}; const PT = ${g.padTop}; const PL = ${g.padLeft};`;
}

export function maxPoolForwardShader(g: Geometry): string {
  return /* wgsl */ `${STEP_STRUCT}${FLAT_INDEX}
${constants(g)}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, lid);
  if (i >= step.n * HO * WO * C) { return; }
  let c = i % C;
  let p = i / C;
  let nimg = p / (HO * WO);
  let ho = i32((p % (HO * WO)) / WO);
  let wo = i32(p % WO);
  var best = -3.0e38;
  var at = 0u;
  for (var kh = 0; kh < K; kh++) {
    let hi = ho * S - PT + kh;
    if (hi < 0 || hi >= i32(H)) { continue; }
    for (var kw = 0; kw < K; kw++) {
      let wi = wo * S - PL + kw;
      if (wi < 0 || wi >= i32(W)) { continue; }
      let j = ((nimg * H + u32(hi)) * W + u32(wi)) * C + c;
      if (x[j] > best) { best = x[j]; at = j; }
    }
  }
  out[i] = best;
  argmax[i] = at;
}
`;
}

export function maxPoolBackwardShader(g: Geometry): string {
  return /* wgsl */ `${STEP_STRUCT}${FLAT_INDEX}
${constants(g)}
@group(0) @binding(1) var<storage, read> gOut: array<f32>;
@group(0) @binding(2) var<storage, read> argmax: array<u32>;
@group(0) @binding(3) var<storage, read_write> gIn: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, lid);
  if (i >= step.n * H * W * C) { return; }
  let c = i % C;
  let p = i / C;
  let nimg = p / (H * W);
  let hi = i32((p % (H * W)) / W);
  let wi = i32(p % W);
  // Windows ho with ho·S − PT ≤ hi ≤ ho·S − PT + K − 1.
  let hoLo = max((hi + PT - K + S) / S, 0);
  let hoHi = min((hi + PT) / S, i32(HO) - 1);
  let woLo = max((wi + PL - K + S) / S, 0);
  let woHi = min((wi + PL) / S, i32(WO) - 1);
  var acc = 0.0;
  for (var ho = hoLo; ho <= hoHi; ho++) {
    for (var wo = woLo; wo <= woHi; wo++) {
      let o = ((nimg * HO + u32(ho)) * WO + u32(wo)) * C + c;
      if (argmax[o] == i) { acc += gOut[o]; }
    }
  }
  gIn[i] = acc;
}
`;
}
