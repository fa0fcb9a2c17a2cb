// The planner: walks a TF.js layers model once into the static op list the compiled step runs. A ResNet is
// three kinds of node — conv+BatchNorm, "apply" (the BatchNorm affine maps of one or two branches, an
// identity shortcut, ReLU: the block's `add` and `out`), max-pool — and the head (global average pool,
// dense, softmax cross-entropy). Anything else is refused up front with `gpu_unsupported_model`, so the
// caller can fall back to the TF.js step before anything is allocated.
import type * as tfl from '@tensorflow/tfjs-layers';
import { GpuStepError } from './errors.ts';

/** A slice of the flat parameter buffer: one trainable weight, in `model.trainableWeights` order. */
export interface ParamRef {
  index: number;
  offset: number;
  size: number;
  /** Weight decay applies (conv kernels, dense kernel), as the TF.js Optimizer decides (rank ≥ 2). */
  decays: boolean;
}

/** A slice of the BatchNorm moving-statistics buffer (non-trainable weights). */
export interface StatRef {
  offset: number;
  variable: tfl.LayerVariable;
}

export interface Geometry {
  hIn: number;
  wIn: number;
  cIn: number;
  hOut: number;
  wOut: number;
  cOut: number;
  k: number;
  stride: number;
  padTop: number;
  padLeft: number;
}

export interface ConvBnNode {
  kind: 'convbn';
  name: string;
  input: number;
  geo: Geometry;
  kernel: ParamRef;
  gamma: ParamRef;
  beta: ParamRef;
  movingMean: StatRef;
  movingVariance: StatRef;
  epsilon: number;
  momentum: number;
}

export type Term = { bn: number } | { identity: number };

export interface ApplyNode {
  kind: 'apply';
  name: string;
  terms: Term[];
  relu: boolean;
  out: number;
}

export interface MaxPoolNode {
  kind: 'maxpool';
  name: string;
  input: number;
  out: number;
  geo: Geometry;
}

export interface HeadNode {
  kind: 'head';
  input: number;
  classes: number;
  kernel: ParamRef;
  bias: ParamRef;
}

export type ForwardNode = ConvBnNode | ApplyNode | MaxPoolNode;

/** An activation tensor kept on the GPU (tensor 0 is the input image batch). */
export interface TensorInfo {
  h: number;
  w: number;
  c: number;
}

export interface ModelPlan {
  tensors: TensorInfo[];
  convs: ConvBnNode[];
  /** Topological order; convs appear here too, by index into `convs`. */
  nodes: ForwardNode[];
  head: HeadNode;
  params: ParamRef[];
  paramCount: number;
  statCount: number;
  /** The weights in `params` order, for import and export. */
  paramVariables: tfl.LayerVariable[];
}

type Value =
  | { tensor: number }
  | { terms: Term[] }
  | { conv: tfl.layers.Layer; input: number }
  | { pooled: number }
  | { logits: true };

interface LayerState {
  kernel?: tfl.LayerVariable;
  bias?: tfl.LayerVariable | null;
  gamma?: tfl.LayerVariable | null;
  beta?: tfl.LayerVariable | null;
  movingMean?: tfl.LayerVariable;
  movingVariance?: tfl.LayerVariable;
}

function unsupported(what: string): never {
  throw new GpuStepError(
    'gpu_unsupported_model',
    `the compiled WebGPU step cannot train this model: ${what}; use --gpu-step tfjs`,
  );
}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [v[0] as number, (v[1] ?? v[0]) as number] : [v as number, v as number];
}

/** TF's SAME/VALID output size and leading padding (SAME pads floor(total/2) before, the rest after). */
function window(size: number, k: number, stride: number, padding: string): { out: number; pad: number } {
  if (padding === 'valid') return { out: Math.floor((size - k) / stride) + 1, pad: 0 };
  const out = Math.ceil(size / stride);
  return { out, pad: Math.floor(Math.max((out - 1) * stride + k - size, 0) / 2) };
}

function geometry(input: TensorInfo, k: number, stride: number, padding: string, cOut: number): Geometry {
  const h = window(input.h, k, stride, padding);
  const w = window(input.w, k, stride, padding);
  return {
    hIn: input.h,
    wIn: input.w,
    cIn: input.c,
    hOut: h.out,
    wOut: w.out,
    cOut,
    k,
    stride,
    padTop: h.pad,
    padLeft: w.pad,
  };
}

export function planModel(model: tfl.LayersModel): ModelPlan {
  const trainable = model.trainableWeights;
  const params: ParamRef[] = [];
  let paramCount = 0;
  for (const [index, v] of trainable.entries()) {
    const size = v.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    params.push({ index, offset: paramCount, size, decays: v.shape.length >= 2 });
    paramCount += size;
  }
  const paramOf = (v: tfl.LayerVariable | null | undefined, what: string): ParamRef => {
    const i = v ? trainable.indexOf(v) : -1;
    if (i < 0) unsupported(`${what} is not a trainable weight`);
    return params[i]!;
  };
  let statCount = 0;
  const statOf = (v: tfl.LayerVariable | undefined, what: string): StatRef => {
    if (!v) unsupported(`${what} is missing`);
    const ref = { offset: statCount, variable: v };
    statCount += v.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    return ref;
  };

  const tensors: TensorInfo[] = [];
  const convs: ConvBnNode[] = [];
  const nodes: ForwardNode[] = [];
  const values = new Map<string, Value>();
  let head: HeadNode | undefined;

  const shapeOf = (layer: tfl.layers.Layer): TensorInfo => {
    const s = layer.outputShape as (number | null)[];
    if (s.length !== 4) unsupported(`layer ${layer.name} outputs rank ${s.length}`);
    return { h: s[1]!, w: s[2]!, c: s[3]! };
  };
  const inputsOf = (layer: tfl.layers.Layer): Value[] => {
    const nodesIn = layer.inboundNodes;
    if (nodesIn.length !== 1) unsupported(`layer ${layer.name} is applied ${nodesIn.length} times`);
    return nodesIn[0]!.inboundLayers.map(
      (l) => values.get(l.name) ?? unsupported(`layer ${layer.name} reads ${l.name}, which is not planned`),
    );
  };
  /** A tensor on the GPU for `v`: terms not yet applied become an apply node without ReLU. */
  const materialize = (v: Value, name: string, shape: TensorInfo): number => {
    if ('tensor' in v) return v.tensor;
    if (!('terms' in v)) unsupported(`${name} needs a tensor`);
    const out = tensors.push(shape) - 1;
    nodes.push({ kind: 'apply', name, terms: v.terms, relu: false, out });
    return out;
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const state = layer as unknown as LayerState;
    const ins = cls === 'InputLayer' ? [] : inputsOf(layer);
    let value: Value;
    switch (cls) {
      case 'InputLayer': {
        if (tensors.length > 0) unsupported('more than one input');
        value = { tensor: tensors.push(shapeOf(layer)) - 1 };
        break;
      }
      case 'Conv2D': {
        const [kh, kw] = pair(config['kernelSize']);
        const [sh, sw] = pair(config['strides']);
        const [dh, dw] = pair(config['dilationRate'] ?? 1);
        if (kh !== kw || sh !== sw || dh !== 1 || dw !== 1)
          unsupported(`${layer.name}: only square kernels and strides, no dilation`);
        if (config['useBias'] || (config['activation'] !== 'linear' && config['activation'] !== undefined))
          unsupported(`${layer.name}: a conv with bias or activation (only conv → BatchNorm)`);
        if (config['dataFormat'] !== 'channelsLast') unsupported(`${layer.name}: channels-first`);
        const input = materialize(ins[0]!, `${layer.name}_input`, shapeOf(layer.inboundNodes[0]!.inboundLayers[0]!));
        value = { conv: layer, input };
        break;
      }
      case 'BatchNormalization': {
        const v = ins[0]!;
        if (!('conv' in v)) unsupported(`${layer.name}: BatchNorm must follow a convolution`);
        const axis = config['axis'];
        if (axis !== -1 && axis !== 3 && !(Array.isArray(axis) && (axis[0] === -1 || axis[0] === 3)))
          unsupported(`${layer.name}: BatchNorm over axis ${String(axis)}`);
        const conv = v.conv;
        const cfg = conv.getConfig() as Record<string, unknown>;
        const [k] = pair(cfg['kernelSize']);
        const [stride] = pair(cfg['strides']);
        const geo = geometry(tensors[v.input]!, k, stride, cfg['padding'] as string, cfg['filters'] as number);
        const node: ConvBnNode = {
          kind: 'convbn',
          name: conv.name,
          input: v.input,
          geo,
          kernel: paramOf((conv as unknown as LayerState).kernel, `${conv.name} kernel`),
          gamma: paramOf(state.gamma, `${layer.name} gamma`),
          beta: paramOf(state.beta, `${layer.name} beta`),
          movingMean: statOf(state.movingMean, `${layer.name} moving mean`),
          movingVariance: statOf(state.movingVariance, `${layer.name} moving variance`),
          epsilon: config['epsilon'] as number,
          momentum: config['momentum'] as number,
        };
        nodes.push(node);
        value = { terms: [{ bn: convs.push(node) - 1 }] };
        break;
      }
      case 'Add': {
        const terms = ins.flatMap((v): Term[] => {
          if ('terms' in v) return v.terms;
          if ('tensor' in v) return [{ identity: v.tensor }];
          return unsupported(`${layer.name} adds a non-tensor`);
        });
        value = { terms };
        break;
      }
      case 'Activation':
      case 'ReLU': {
        if (cls === 'Activation' && config['activation'] !== 'relu')
          unsupported(`${layer.name}: activation ${String(config['activation'])}`);
        if (cls === 'ReLU' && config['maxValue'] != null) unsupported(`${layer.name}: ReLU with a max value`);
        const v = ins[0]!;
        if (!('terms' in v)) unsupported(`${layer.name}: ReLU must follow BatchNorm or an add`);
        const out = tensors.push(shapeOf(layer)) - 1;
        nodes.push({ kind: 'apply', name: layer.name, terms: v.terms, relu: true, out });
        value = { tensor: out };
        break;
      }
      case 'MaxPooling2D': {
        const [k] = pair(config['poolSize']);
        const [stride] = pair(config['strides'] ?? config['poolSize']);
        const input = materialize(ins[0]!, `${layer.name}_input`, shapeOf(layer.inboundNodes[0]!.inboundLayers[0]!));
        const out = tensors.push(shapeOf(layer)) - 1;
        const geo = geometry(tensors[input]!, k, stride, config['padding'] as string, tensors[input]!.c);
        nodes.push({ kind: 'maxpool', name: layer.name, input, out, geo });
        value = { tensor: out };
        break;
      }
      case 'GlobalAveragePooling2D': {
        value = {
          pooled: materialize(ins[0]!, `${layer.name}_input`, shapeOf(layer.inboundNodes[0]!.inboundLayers[0]!)),
        };
        break;
      }
      case 'Dense': {
        const v = ins[0]!;
        if (!('pooled' in v)) unsupported(`${layer.name}: the dense layer must follow global average pooling`);
        if (config['activation'] !== 'linear' || !config['useBias'])
          unsupported(`${layer.name}: the head must be a linear dense layer with bias`);
        if (head) unsupported('more than one dense layer');
        head = {
          kind: 'head',
          input: v.pooled,
          classes: config['units'] as number,
          kernel: paramOf(state.kernel, `${layer.name} kernel`),
          bias: paramOf(state.bias, `${layer.name} bias`),
        };
        value = { logits: true };
        break;
      }
      default:
        unsupported(`layer ${layer.name} of class ${cls}`);
    }
    values.set(layer.name, value);
  }
  if (!head) unsupported('no global-average-pool → dense head');
  if (model.outputs.length !== 1 || !('logits' in (values.get(model.outputs[0]!.sourceLayer.name) ?? {})))
    unsupported('the model output must be the dense head');
  if (head.classes < 2) unsupported('a one-logit (sigmoid) head');
  return { tensors, convs, nodes, head, params, paramCount, statCount, paramVariables: trainable };
}
