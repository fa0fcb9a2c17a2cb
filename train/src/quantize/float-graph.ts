// A trained TF.js LayersModel as a small float graph of the ops TFLite will run: BatchNorm folded into
// the convolution before it, ReLU fused into the op that produces its input, Dropout dropped (inference),
// Flatten as a reshape. Every node keeps the name of the TF.js layer whose output it equals, so
// calibration and error messages speak the model's own layer names (`conv4_block3_out`).
import type * as tfl from '@tensorflow/tfjs-layers';
import { QuantizeError } from './errors.ts';
import { foldBatchNorm, type BatchNormParams } from './fold-batchnorm.ts';

export type Padding = 'same' | 'valid';

interface NodeBase {
  id: number;
  /** The TF.js layer whose output this node equals (after fusion: the last fused layer). */
  name: string;
  /** Output shape without the batch dimension: [h, w, c] or [features]. */
  shape: number[];
}

export type FloatNode =
  | (NodeBase & { kind: 'input' })
  | (NodeBase & {
      kind: 'conv';
      input: number;
      /** [kh, kw, in, out] as TF.js stores it. */
      kernel: Float32Array;
      kernelShape: [number, number, number, number];
      bias: Float32Array;
      strides: [number, number];
      padding: Padding;
      relu: boolean;
    })
  | (NodeBase & {
      kind: 'dense';
      input: number;
      /** [in, out] */ kernel: Float32Array;
      inUnits: number;
      bias: Float32Array;
      relu: boolean;
    })
  | (NodeBase & { kind: 'add'; inputs: [number, number]; relu: boolean })
  | (NodeBase & {
      kind: 'maxpool' | 'avgpool';
      input: number;
      pool: [number, number];
      strides: [number, number];
      padding: Padding;
    })
  | (NodeBase & { kind: 'mean'; input: number })
  | (NodeBase & { kind: 'concat'; inputs: number[] })
  | (NodeBase & { kind: 'flatten'; input: number });

export interface FloatGraph {
  nodes: FloatNode[];
  input: number;
  output: number;
}

type Layer = tfl.layers.Layer;
type NewNode = FloatNode extends infer N ? (N extends FloatNode ? Omit<N, 'id'> : never) : never;

const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];

function outShape(layer: Layer): number[] {
  const s = layer.outputShape as (number | null)[];
  return s.slice(1).map((d) => {
    if (typeof d !== 'number')
      throw new QuantizeError(
        'unsupported_graph',
        `layer '${layer.name}' has a dynamic dimension ${JSON.stringify(s)}`,
      );
    return d;
  });
}

function inboundLayers(layer: Layer): Layer[] {
  if (layer.inboundNodes.length !== 1) {
    throw new QuantizeError(
      'unsupported_graph',
      `layer '${layer.name}' is applied ${layer.inboundNodes.length} times; shared layers are not supported`,
    );
  }
  return layer.inboundNodes[0]!.inboundLayers;
}

function activationOf(layer: Layer): boolean {
  const a = layer.getConfig().activation;
  if (a === undefined || a === 'linear') return false;
  if (a === 'relu') return true;
  throw new QuantizeError(
    'unsupported_layer',
    `layer '${layer.name}' uses activation '${String(a)}'; only relu and linear can be quantized`,
  );
}

function weightsByName(layer: Layer): Map<string, Float32Array> {
  const values = layer.getWeights();
  const map = new Map<string, Float32Array>();
  layer.weights.forEach((w, i) => {
    const short = w.originalName.split('/').pop()!;
    map.set(short, values[i]!.dataSync() as Float32Array);
  });
  return map;
}

function batchNormParams(layer: Layer): BatchNormParams {
  const cfg = layer.getConfig();
  const w = weightsByName(layer);
  const channels = outShape(layer).at(-1)!;
  const ones = new Float32Array(channels).fill(1);
  const axis = cfg.axis as number | number[];
  if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) {
    throw new QuantizeError(
      'unsupported_layer',
      `BatchNormalization '${layer.name}' normalises axis ${JSON.stringify(axis)}; only the channel axis can be folded`,
    );
  }
  return {
    gamma: w.get('gamma') ?? ones,
    beta: w.get('beta') ?? new Float32Array(channels),
    mean: w.get('moving_mean')!,
    variance: w.get('moving_variance')!,
    epsilon: cfg.epsilon as number,
  };
}

/** Builds the float graph; throws `unsupported_layer` naming the first layer TFLite's int8 op set cannot express. */
export function floatGraphFromModel(model: tfl.LayersModel): FloatGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new QuantizeError(
      'unsupported_graph',
      `expected one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const nodes: FloatNode[] = [];
  /** TF.js layer name → node id of the value that layer outputs. */
  const valueOf = new Map<string, number>();
  const consumers = new Map<string, number>();
  for (const layer of model.layers)
    for (const src of layer.inboundNodes.flatMap((n) => n.inboundLayers))
      consumers.set(src.name, (consumers.get(src.name) ?? 0) + 1);

  const add = (node: NewNode, layer: Layer): number => {
    const id = nodes.length;
    nodes.push({ ...node, id } as FloatNode);
    valueOf.set(layer.name, id);
    return id;
  };
  const inputOf = (layer: Layer, i = 0): number => {
    const src = inboundLayers(layer)[i];
    const id = src && valueOf.get(src.name);
    if (id === undefined)
      throw new QuantizeError('unsupported_graph', `layer '${layer.name}' has no quantizable input`);
    return id;
  };
  /** The node producing this layer's single input, if only this layer consumes it (so it can absorb BN/ReLU). */
  const fusableProducer = (layer: Layer): FloatNode | undefined => {
    const src = inboundLayers(layer)[0]!;
    return consumers.get(src.name) === 1 ? nodes[valueOf.get(src.name)!] : undefined;
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig();
    const name = layer.name;
    switch (cls) {
      case 'InputLayer':
        add({ kind: 'input', name, shape: outShape(layer) }, layer);
        break;
      case 'Conv2D': {
        const w = weightsByName(layer);
        const kernel = w.get('kernel')!;
        const kernelShape = layer.weights.find((v) => v.originalName.endsWith('kernel'))!.shape as [
          number,
          number,
          number,
          number,
        ];
        const dilation = pair(cfg.dilationRate ?? 1);
        if (dilation[0] !== 1 || dilation[1] !== 1)
          throw new QuantizeError('unsupported_layer', `Conv2D '${name}' is dilated`);
        add(
          {
            kind: 'conv',
            name,
            shape: outShape(layer),
            input: inputOf(layer),
            kernel,
            kernelShape,
            bias: w.get('bias') ?? new Float32Array(kernelShape[3]),
            strides: pair(cfg.strides),
            padding: cfg.padding as Padding,
            relu: activationOf(layer),
          },
          layer,
        );
        break;
      }
      case 'BatchNormalization': {
        const conv = fusableProducer(layer);
        if (conv?.kind !== 'conv' || conv.relu) {
          throw new QuantizeError(
            'unsupported_layer',
            `BatchNormalization '${name}' does not directly follow a linear Conv2D it alone consumes; it cannot be folded`,
          );
        }
        const folded = foldBatchNorm(conv.kernel, conv.bias, batchNormParams(layer));
        conv.kernel = folded.kernel;
        conv.bias = folded.bias;
        conv.name = name;
        valueOf.set(name, conv.id);
        break;
      }
      case 'Activation':
      case 'ReLU': {
        if (cls === 'Activation' && cfg.activation !== 'relu') {
          throw new QuantizeError(
            'unsupported_layer',
            `Activation '${name}' is '${String(cfg.activation)}'; only relu is fused (softmax/sigmoid belong to the runtime)`,
          );
        }
        const producer = fusableProducer(layer);
        if (!producer || !('relu' in producer) || producer.relu) {
          throw new QuantizeError(
            'unsupported_layer',
            `ReLU '${name}' does not follow a conv, dense or add it alone consumes; it cannot be fused`,
          );
        }
        producer.relu = true;
        producer.name = name;
        valueOf.set(name, producer.id);
        break;
      }
      case 'Dense': {
        const w = weightsByName(layer);
        const kernel = w.get('kernel')!;
        const units = cfg.units as number;
        add(
          {
            kind: 'dense',
            name,
            shape: [units],
            input: inputOf(layer),
            kernel,
            inUnits: kernel.length / units,
            bias: w.get('bias') ?? new Float32Array(units),
            relu: activationOf(layer),
          },
          layer,
        );
        break;
      }
      case 'Add': {
        const ins = inboundLayers(layer);
        if (ins.length !== 2)
          throw new QuantizeError('unsupported_layer', `Add '${name}' has ${ins.length} inputs; TFLite ADD takes two`);
        add(
          { kind: 'add', name, shape: outShape(layer), inputs: [inputOf(layer, 0), inputOf(layer, 1)], relu: false },
          layer,
        );
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        add(
          {
            kind: cls === 'MaxPooling2D' ? 'maxpool' : 'avgpool',
            name,
            shape: outShape(layer),
            input: inputOf(layer),
            pool: pair(cfg.poolSize),
            strides: pair(cfg.strides ?? cfg.poolSize),
            padding: cfg.padding as Padding,
          },
          layer,
        );
        break;
      case 'GlobalAveragePooling2D':
        add({ kind: 'mean', name, shape: outShape(layer), input: inputOf(layer) }, layer);
        break;
      case 'Concatenate': {
        const axis = cfg.axis as number;
        if (axis !== -1 && axis !== 3)
          throw new QuantizeError(
            'unsupported_layer',
            `Concatenate '${name}' joins axis ${axis}; only the channel axis is supported`,
          );
        add(
          {
            kind: 'concat',
            name,
            shape: outShape(layer),
            inputs: inboundLayers(layer).map((_, i) => inputOf(layer, i)),
          },
          layer,
        );
        break;
      }
      case 'Flatten':
        add({ kind: 'flatten', name, shape: outShape(layer), input: inputOf(layer) }, layer);
        break;
      case 'Dropout':
        // Identity at inference.
        valueOf.set(name, inputOf(layer));
        break;
      default:
        throw new QuantizeError(
          'unsupported_layer',
          `layer '${name}' of type ${cls} has no int8 TFLite equivalent here`,
        );
    }
  }
  const input = valueOf.get(model.inputLayers[0]!.name)!;
  const output = valueOf.get(model.outputLayers[0]!.name);
  if (output === undefined)
    throw new QuantizeError('unsupported_graph', 'the model output is not produced by a supported layer');
  return { nodes, input, output };
}
