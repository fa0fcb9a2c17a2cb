// One dispatch updates every parameter: it first sums the gradient's split-K slices (the wgrad GEMMs write
// slice s of s·P…; BatchNorm and dense gradients live in slice 0, the other slices stay zero for them), then
// applies the same rule as training/optimizer.ts: SGD with momentum and L2, Adam with L2, AdamW decoupled;
// decay only where decayMask is 1 (conv and dense kernels).
import type { OptimizerConfig } from '../../training/optimizer.ts';
import { FLAT_INDEX, STEP_STRUCT } from './common.wgsl.ts';

const f = (v: number) => (Number.isInteger(v) ? `${v}.0` : `${v}`);

export function optimizerShader(config: OptimizerConfig, paramCount: number, splits: number): string {
  const wd = config.weightDecay;
  const b1 = config.beta1 ?? 0.9;
  const b2 = config.beta2 ?? 0.999;
  const eps = config.epsilon ?? 1e-8;
  const l2 = config.kind !== 'adamw' && wd > 0 ? `g = fma(${f(wd)} * decayMask[i], w, g);` : '';
  let update: string;
  if (config.kind === 'sgd') {
    update =
      config.momentum > 0
        ? `let v = fma(${f(config.momentum)}, slot0[i], g);\n  slot0[i] = v;\n  params[i] = w - step.lr * v;`
        : 'params[i] = w - step.lr * g;';
  } else {
    const decoupled = config.kind === 'adamw' && wd > 0 ? ` - step.lr * ${f(wd)} * decayMask[i] * w` : '';
    update = `let m = fma(${f(b1)}, slot0[i], ${f(1 - b1)} * g);
  let v = fma(${f(b2)}, slot1[i], ${f(1 - b2)} * g * g);
  slot0[i] = m;
  slot1[i] = v;
  params[i] = w - step.lr * (m / step.bc1) / (sqrt(v / step.bc2) + ${f(eps)})${decoupled};`;
  }
  return /* wgsl */ `${STEP_STRUCT}${FLAT_INDEX}
const P = ${paramCount}u;
const SPLITS = ${splits}u;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read> decayMask: array<f32>;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> slot0: array<f32>;
@group(0) @binding(5) var<storage, read_write> slot1: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, lid);
  // Both slots stay in the layout even where the rule uses fewer (one bind-group shape for every optimizer).
  _ = &decayMask;
  _ = &slot0;
  _ = &slot1;
  if (i >= P) { return; }
  var g = 0.0;
  for (var s = 0u; s < SPLITS; s++) { g += grads[s * P + i]; }
  let w = params[i];
  ${l2}
  ${update}
}
`;
}
