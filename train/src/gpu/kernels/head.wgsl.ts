// The head: global average pooling → dense → softmax cross-entropy (label smoothing ε: the target is
// (1 − ε)·onehot + ε/K), fused. Forward is one workgroup per image (pool, logits, log-sum-exp, loss, top-1,
// dlogits = (softmax − target)/n); backward is one flat dispatch computing the dense gradients, the pooled
// gradient broadcast back over the feature map, and the batch's loss and correct count for the host.
import { FLAT_INDEX, STEP_STRUCT } from './common.wgsl.ts';

export interface HeadSpec {
  pixels: number;
  channels: number;
  classes: number;
  smoothing: number;
  kernelOffset: number;
  biasOffset: number;
}

const f = (v: number) => (Number.isInteger(v) ? `${v}.0` : `${v}`);

export function headForwardShader(s: HeadSpec): string {
  return /* wgsl */ `${STEP_STRUCT}
const HW = ${s.pixels}u; const C = ${s.channels}u; const K = ${s.classes}u;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> pooled: array<f32>;
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(6) var<storage, read_write> perImage: array<f32>;
var<workgroup> pool: array<f32, ${s.channels}>;
var<workgroup> z: array<f32, ${s.classes}>;
var<workgroup> lse: f32;

fn targetOf(j: u32, label: u32) -> f32 {
  return select(0.0, ${f(1 - s.smoothing)}, j == label) + ${f(s.smoothing / s.classes)};
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = wid.x;
  for (var c = lid; c < C; c += 64u) {
    var sum = 0.0;
    for (var p = 0u; p < HW; p++) { sum += act[(n * HW + p) * C + c]; }
    pool[c] = sum / f32(HW);
    pooled[n * C + c] = pool[c];
  }
  workgroupBarrier();
  for (var j = lid; j < K; j += 64u) {
    var acc = params[${s.biasOffset}u + j];
    for (var c = 0u; c < C; c++) { acc = fma(pool[c], params[${s.kernelOffset}u + c * K + j], acc); }
    z[j] = acc;
  }
  workgroupBarrier();
  let label = labels[n];
  if (lid == 0u) {
    var best = 0u;
    for (var j = 1u; j < K; j++) { if (z[j] > z[best]) { best = j; } }
    var sum = 0.0;
    for (var j = 0u; j < K; j++) { sum += exp(z[j] - z[best]); }
    lse = z[best] + log(sum);
    var loss = 0.0;
    for (var j = 0u; j < K; j++) { loss -= targetOf(j, label) * (z[j] - lse); }
    perImage[2u * n] = loss;
    perImage[2u * n + 1u] = select(0.0, 1.0, best == label);
  }
  workgroupBarrier();
  for (var j = lid; j < K; j += 64u) {
    dlogits[n * K + j] = (exp(z[j] - lse) - targetOf(j, label)) / f32(step.n);
  }
}
`;
}

/** Invocations of the backward dispatch for batch n: dW, db, the feature-map gradient, one for the metrics. */
export function headBackwardCount(s: HeadSpec, n: number): number {
  return s.channels * s.classes + s.classes + n * s.pixels * s.channels + 1;
}

export function headBackwardShader(s: HeadSpec): string {
  return /* wgsl */ `${STEP_STRUCT}${FLAT_INDEX}
const HW = ${s.pixels}u; const C = ${s.channels}u; const K = ${s.classes}u;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> dlogits: array<f32>;
@group(0) @binding(3) var<storage, read> perImage: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;
@group(0) @binding(6) var<storage, read_write> g: array<f32>;
@group(0) @binding(7) var<storage, read_write> metrics: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  var i = flatIndex(wid, lid);
  let n = step.n;
  if (i < C * K) {
    let c = i / K;
    let j = i % K;
    var acc = 0.0;
    for (var b = 0u; b < n; b++) { acc = fma(pooled[b * C + c], dlogits[b * K + j], acc); }
    grads[${s.kernelOffset}u + i] = acc;
    return;
  }
  i -= C * K;
  if (i < K) {
    var acc = 0.0;
    for (var b = 0u; b < n; b++) { acc += dlogits[b * K + i]; }
    grads[${s.biasOffset}u + i] = acc;
    return;
  }
  i -= K;
  if (i < n * HW * C) {
    let c = i % C;
    let b = i / (HW * C);
    var acc = 0.0;
    for (var j = 0u; j < K; j++) { acc = fma(dlogits[b * K + j], params[${s.kernelOffset}u + c * K + j], acc); }
    g[i] = acc / f32(HW);
    return;
  }
  if (i == n * HW * C) {
    var loss = 0.0;
    var correct = 0.0;
    for (var b = 0u; b < n; b++) { loss += perImage[2u * b]; correct += perImage[2u * b + 1u]; }
    metrics[0] = loss / f32(n);
    metrics[1] = correct;
  }
}
`;
}
