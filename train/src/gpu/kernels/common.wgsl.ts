// What every kernel shares: the per-step uniforms (batch size and optimizer scalars, written once per step),
// the per-layer uniforms, and the mapping of a flat element range onto a 2-D grid (one dispatch dimension
// stops at 65,535 groups).
//
// Why per-layer uniforms: a shader with a layer's shapes and offsets baked in as constants is a pipeline of
// its own, and ResNet-20 then needs ~90 of them. Pipelines are costly to compile — on the software Vulkan
// adapter (lavapipe), the first dispatch of one GEMM pipeline took 25–35 s of LLVM time — so the shapes and
// offsets of a layer live in a small uniform buffer written once at planning time, and the shader text
// depends only on what changes the code (GEMM mode, tile width, epilogue, the terms of an apply).

/** n: images in this batch; lr; bc1/bc2: Adam's bias corrections 1 − β^t. 16 bytes. */
export const STEP_STRUCT = /* wgsl */ `
struct Step { n: u32, lr: f32, bc1: f32, bc2: f32 }
@group(0) @binding(0) var<uniform> step: Step;`;

export const STEP_BYTES = 16;

/**
 * How the conv outputs y (the largest activations kept for backward) are stored; arithmetic stays f32. f16
 * needs the adapter's `shader-f16`.
 */
export type ActivationStorage = 'f32' | 'f16';

/** The directive a shader needs before anything else when it stores f16. */
export const enableFor = (storage: ActivationStorage): string => (storage === 'f16' ? 'enable f16;\n' : '');

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
export function accumulateShader(countPerImage: number): Kernel {
  const layer = layerUniform([['countPerImage', 'u32', countPerImage]]);
  const code = /* wgsl */ `${STEP_STRUCT}${FLAT_INDEX}
${layer.decl}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatIndex(wid, lid);
  if (i >= step.n * L.countPerImage) { return; }
  out[i] = out[i] + a[i];
}
`;
  return { code, layer: layer.data };
}

/** The binding of the per-layer uniform block (after every other binding a kernel uses). */
export const LAYER_BINDING = 15;

export type LayerField = readonly [name: string, type: 'u32' | 'i32' | 'f32', value: number];

/** A kernel: its WGSL, and the bytes of its per-layer uniform block when it reads one (as `L`). */
export interface Kernel {
  code: string;
  layer?: ArrayBuffer;
}

/**
 * The WGSL declaration of the per-layer block `L` and its bytes. Every field is a 4-byte scalar, so the
 * struct packs without padding; its size is rounded up to 16 bytes as uniform buffers require.
 */
export function layerUniform(fields: readonly LayerField[]): { decl: string; data: ArrayBuffer } {
  const data = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(data);
  fields.forEach(([, type, value], i) => {
    if (type === 'u32') view.setUint32(i * 4, value, true);
    else if (type === 'i32') view.setInt32(i * 4, value, true);
    else view.setFloat32(i * 4, value, true);
  });
  const members = fields.map(([name, type]) => `${name}: ${type}`).join(', ');
  return { decl: `struct Layer { ${members} }\n@group(0) @binding(${LAYER_BINDING}) var<uniform> L: Layer;`, data };
}
