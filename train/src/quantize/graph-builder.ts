// Float graph + calibrated ranges → int8 TFLite graph (GraphIR), following TFLite's conventions:
// float32 input → QUANTIZE → int8 ops → DEQUANTIZE → float32 logits. ReLU is already fused into its
// producer (the activation's calibrated range then starts at 0). Ops that TFLite requires to keep their
// input's quantization (MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE) share it; CONCATENATION's inputs and
// output all share one scale, chosen to cover every input; ADD and MEAN get their own output scale.
import type { GraphIR, OpIR, Padding as IrPadding, TensorIR } from '@resnet-edge/shared/tflite/ir';
import { QuantizeError } from './errors.ts';
import type { FloatGraph, FloatNode } from './float-graph.ts';
import {
  activationParams,
  hwioToOhwi,
  quantizeBias,
  quantizeWeights,
  transpose2d,
  type AffineParams,
  type Range,
} from './quant-math.ts';

/** Nodes whose output must carry exactly their input's quantization (TFLite kernels check this). */
const SAME_AS_INPUT = new Set<FloatNode['kind']>(['maxpool', 'avgpool', 'flatten']);

/** Final activation parameters of every node, with TFLite's sharing constraints applied. */
export function activationPlan(graph: FloatGraph, ranges: Range[]): AffineParams[] {
  const range: Range[] = ranges.map((r) => ({ ...r }));
  for (const node of graph.nodes) {
    if (node.kind !== 'concat') continue;
    for (const i of node.inputs) {
      const src = graph.nodes[i]!;
      if (SAME_AS_INPUT.has(src.kind) || src.kind === 'input' || consumers(graph, i) > 1) {
        throw new QuantizeError(
          'unsupported_graph',
          `'${src.name}' feeds concatenation '${node.name}' but its scale cannot be changed to match it`,
        );
      }
      range[node.id] = {
        min: Math.min(range[node.id]!.min, range[i]!.min),
        max: Math.max(range[node.id]!.max, range[i]!.max),
      };
    }
    for (const i of node.inputs) range[i] = range[node.id]!;
  }
  const params: AffineParams[] = [];
  for (const node of graph.nodes) {
    params[node.id] =
      SAME_AS_INPUT.has(node.kind) && 'input' in node ? params[node.input]! : activationParams(range[node.id]!);
  }
  return params;
}

function consumers(graph: FloatGraph, id: number): number {
  return graph.nodes.filter((n) => ('input' in n && n.input === id) || ('inputs' in n && n.inputs.includes(id))).length;
}

const padding = (p: 'same' | 'valid'): IrPadding => (p === 'same' ? 'SAME' : 'VALID');

export function buildInt8Graph(graph: FloatGraph, ranges: Range[], description?: string): GraphIR {
  const act = activationPlan(graph, ranges);
  const tensors: TensorIR[] = [];
  const ops: OpIR[] = [];
  const tensorOf: number[] = [];
  const addTensor = (t: TensorIR): number => tensors.push(t) - 1;
  const activation = (node: FloatNode): number => {
    const p = act[node.id]!;
    return addTensor({
      name: node.name,
      shape: [1, ...node.shape],
      type: 'int8',
      quant: { scale: [p.scale], zeroPoint: [p.zeroPoint] },
    });
  };
  const int32Const = (name: string, values: number[]): number =>
    addTensor({ name, shape: [values.length], type: 'int32', data: Int32Array.from(values) });

  let floatInput = -1;
  for (const node of graph.nodes) {
    const out = (tensorOf[node.id] = activation(node));
    const inScale = (i: number) => act[i]!.scale;
    switch (node.kind) {
      case 'input':
        floatInput = addTensor({ name: `${node.name}_float`, shape: [1, ...node.shape], type: 'float32' });
        ops.push({ op: 'QUANTIZE', inputs: [floatInput], outputs: [out] });
        break;
      case 'conv': {
        const [kh, kw, cin, cout] = node.kernelShape;
        const w = quantizeWeights(hwioToOhwi(node.kernel, node.kernelShape), cout);
        const b = quantizeBias(node.bias, inScale(node.input), w.scales);
        const filter = addTensor({
          name: `${node.name}/filter`,
          shape: [cout, kh, kw, cin],
          type: 'int8',
          data: w.data,
          quant: { scale: w.scales, zeroPoint: w.scales.map(() => 0), quantizedDimension: 0 },
        });
        const bias = addTensor({
          name: `${node.name}/bias`,
          shape: [cout],
          type: 'int32',
          data: b.data,
          quant: { scale: b.scales, zeroPoint: b.scales.map(() => 0), quantizedDimension: 0 },
        });
        ops.push({
          op: 'CONV_2D',
          inputs: [tensorOf[node.input]!, filter, bias],
          outputs: [out],
          options: {
            padding: padding(node.padding),
            strideH: node.strides[0],
            strideW: node.strides[1],
            dilationH: 1,
            dilationW: 1,
            fusedActivation: node.relu ? 'RELU' : 'NONE',
          },
        });
        break;
      }
      case 'dense': {
        const units = node.shape[0]!;
        // Per-tensor weight scale: the form every TFLite FULLY_CONNECTED int8 kernel accepts.
        const w = quantizeWeights(transpose2d(node.kernel, node.inUnits, units), 1);
        const b = quantizeBias(node.bias, inScale(node.input), w.scales);
        const weights = addTensor({
          name: `${node.name}/weights`,
          shape: [units, node.inUnits],
          type: 'int8',
          data: w.data,
          quant: { scale: w.scales, zeroPoint: [0] },
        });
        const bias = addTensor({
          name: `${node.name}/bias`,
          shape: [units],
          type: 'int32',
          data: b.data,
          quant: { scale: [b.scales[0]!], zeroPoint: [0] },
        });
        ops.push({
          op: 'FULLY_CONNECTED',
          inputs: [tensorOf[node.input]!, weights, bias],
          outputs: [out],
          options: { fusedActivation: node.relu ? 'RELU' : 'NONE', keepNumDims: false },
        });
        break;
      }
      case 'add':
        ops.push({
          op: 'ADD',
          inputs: [tensorOf[node.inputs[0]]!, tensorOf[node.inputs[1]]!],
          outputs: [out],
          options: { fusedActivation: node.relu ? 'RELU' : 'NONE' },
        });
        break;
      case 'maxpool':
      case 'avgpool':
        ops.push({
          op: node.kind === 'maxpool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
          inputs: [tensorOf[node.input]!],
          outputs: [out],
          options: {
            padding: padding(node.padding),
            strideH: node.strides[0],
            strideW: node.strides[1],
            filterH: node.pool[0],
            filterW: node.pool[1],
            fusedActivation: 'NONE',
          },
        });
        break;
      case 'mean':
        ops.push({
          op: 'MEAN',
          inputs: [tensorOf[node.input]!, int32Const(`${node.name}/axes`, [1, 2])],
          outputs: [out],
          options: { keepDims: false },
        });
        break;
      case 'concat':
        ops.push({
          op: 'CONCATENATION',
          inputs: node.inputs.map((i) => tensorOf[i]!),
          outputs: [out],
          options: { axis: 3, fusedActivation: 'NONE' },
        });
        break;
      case 'flatten': {
        const newShape = [1, ...node.shape];
        ops.push({
          op: 'RESHAPE',
          inputs: [tensorOf[node.input]!, int32Const(`${node.name}/shape`, newShape)],
          outputs: [out],
          options: { newShape },
        });
        break;
      }
    }
  }
  const logits = addTensor({ name: 'logits', shape: [1, ...graph.nodes[graph.output]!.shape], type: 'float32' });
  ops.push({ op: 'DEQUANTIZE', inputs: [tensorOf[graph.output]!], outputs: [logits] });
  return { tensors, ops, inputs: [floatInput], outputs: [logits], ...(description ? { description } : {}) };
}
