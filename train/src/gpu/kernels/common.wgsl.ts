// What every kernel shares: the per-step uniforms (batch size and optimizer scalars, written once per step)
// and the mapping of a flat element range onto a 2-D grid (one dispatch dimension stops at 65,535 groups).

/** n: images in this batch; lr; bc1/bc2: Adam's bias corrections 1 − β^t. 16 bytes. */
export const STEP_STRUCT = /* wgsl */ `
struct Step { n: u32, lr: f32, bc1: f32, bc2: f32 }
@group(0) @binding(0) var<uniform> step: Step;`;

export const STEP_BYTES = 16;

export const FLAT_WORKGROUP = 256;
const MAX_X = 32768;

/** A 2-D grid of 256-thread groups covering `count` elements. */
export function flatGrid(count: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(count / FLAT_WORKGROUP));
  return groups <= MAX_X ? [groups, 1, 1] : [MAX_X, Math.ceil(groups / MAX_X), 1];
}

/** The flat element index of the invocation in a flatGrid dispatch. */
export const FLAT_INDEX = /* wgsl */ `
fn flatIndex(wid: vec3u, lid: u32) -> u32 { return (wid.y * ${MAX_X}u + wid.x) * ${FLAT_WORKGROUP}u + lid; }`;

/** out += a, elementwise: a gradient reaching a tensor along a second identity path. */
export function accumulateShader(countPerImage: number): string {
  return /* wgsl */ `${STEP_STRUCT}${FLAT_INDEX}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, lid);
  if (i >= step.n * ${countPerImage}u) { return; }
  out[i] = out[i] + a[i];
}
`;
}
