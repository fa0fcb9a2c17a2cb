// Runs an int8 TFLite model: load (parse, validate, plan memory, prepare every op) once; then `run` per
// inference, which only copies the input in and calls each op's `evaluate`.
import type { GraphIR } from './ir.ts';
import { TfliteError } from './errors.ts';
import { readTflite } from './reader.ts';
import { planMemory } from './memory-plan.ts';
import { builtinOps, type OpResolver } from './op-resolver.ts';
import type { Kernel, KernelPath, TensorData } from './kernels/kernel.ts';
import { int8WasmModule, WasmArena } from './wasm-arena.ts';

/** How each path is named where it is reported (`/healthz`, the CLI): the names predate the reference path. */
const PATH_NAMES = { reference: 'reference', optimized: 'typescript', wasm: 'wasm-simd' } as const;
export type Int8Kernels = (typeof PATH_NAMES)[KernelPath];

export interface InterpreterOptions {
  /** Which kernels run (default: wasm when a compiled conv.wasm is at hand, else optimized). */
  kernels?: KernelPath;
  /** The compiled conv.wasm for the wasm path (default: what setInt8WasmModule set; null: the optimized path). */
  wasm?: WebAssembly.Module | null;
  /** Every activation gets its own buffer instead of a reused one, so `tensorData` reads any intermediate tensor
   * after a run (more memory). */
  keepActivations?: boolean;
}

interface Step {
  kernel: Kernel;
  params: unknown;
}

export class Interpreter {
  readonly inputShape: number[];
  readonly outputShape: number[];
  /** Bytes held by activation buffers (constants not counted). */
  readonly arenaBytes: number;
  /** Which kernels run: WebAssembly SIMD, optimized TypeScript or the reference loops (identical outputs). */
  readonly kernels: Int8Kernels;
  /** Bytes of the wasm path's memory (its int8 copy of the convolution filters, and scratch); 0 on the TS paths. */
  readonly wasmBytes: number;
  private readonly input: Float32Array;
  private readonly output: TensorData;
  private readonly outputFloat: Float32Array;
  private readonly dequantizeOutput: { scale: number; zeroPoint: number } | null;

  private constructor(
    readonly graph: GraphIR,
    private readonly data: TensorData[],
    private readonly steps: Step[],
    arenaBytes: number,
    kernels: Int8Kernels,
    wasmBytes: number,
  ) {
    this.kernels = kernels;
    this.wasmBytes = wasmBytes;
    const inIdx = graph.inputs[0]!,
      outIdx = graph.outputs[0]!;
    this.inputShape = [...graph.tensors[inIdx]!.shape];
    this.outputShape = [...graph.tensors[outIdx]!.shape];
    this.arenaBytes = arenaBytes;
    const input = data[inIdx];
    if (!(input instanceof Float32Array))
      throw new TfliteError('invalid_model', `the model's input '${graph.tensors[inIdx]!.name}' must be float32`);
    this.input = input;
    this.output = data[outIdx]!;
    const outT = graph.tensors[outIdx]!;
    if (this.output instanceof Float32Array) {
      this.outputFloat = this.output;
      this.dequantizeOutput = null;
    } else if (this.output instanceof Int8Array && outT.quant) {
      this.outputFloat = new Float32Array(this.output.length);
      this.dequantizeOutput = { scale: outT.quant.scale[0]!, zeroPoint: outT.quant.zeroPoint[0]! };
    } else {
      throw new TfliteError('invalid_model', `the model's output '${outT.name}' must be float32 or quantized int8`);
    }
  }

  /** Loads a model once; `resolver` picks each op's kernel for the path the options choose. */
  static create(
    model: Uint8Array | GraphIR,
    resolver: OpResolver = builtinOps,
    options: InterpreterOptions = {},
  ): Interpreter {
    const graph = model instanceof Uint8Array ? readTflite(model) : model;
    if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
      throw new TfliteError(
        'invalid_model',
        `expected one input and one output, got ${graph.inputs.length} and ${graph.outputs.length}`,
      );
    }
    const { path, module } = choosePath(options);
    const kernels = graph.ops.map((op) => resolver.get(op.op, path));
    const plan = planMemory(graph, { reuse: !options.keepActivations });
    const wasm = module ? new WasmArena(module) : undefined;
    const ctx = {
      graph,
      tensor: (i: number) => graph.tensors[i]!,
      data: (i: number) => plan.data[i]!,
      ...(wasm ? { wasm } : {}),
    };
    const steps = graph.ops.map((op, k) => ({ kernel: kernels[k]!, params: kernels[k]!.prepare(op, ctx) }));
    // Every wasm kernel has reported its needs: one memory for all of them, sized once.
    wasm?.commit();
    return new Interpreter(graph, plan.data, steps, plan.arenaBytes, PATH_NAMES[path], wasm?.bytes ?? 0);
  }

  /** Runs one inference. The returned array is the interpreter's own and is overwritten by the next run. */
  run(input: Float32Array): Float32Array {
    if (input.length !== this.input.length) {
      throw new RangeError(
        `input has ${input.length} values, the model expects [${this.inputShape.join(', ')}] = ${this.input.length}`,
      );
    }
    this.input.set(input);
    for (const step of this.steps) step.kernel.evaluate(step.params);
    const q = this.dequantizeOutput;
    if (q)
      for (let i = 0; i < this.outputFloat.length; i++)
        this.outputFloat[i] = q.scale * ((this.output[i] as number) - q.zeroPoint);
    return this.outputFloat;
  }

  /**
   * A tensor's current values (for tests and debugging). Activation buffers are reused (unless created with
   * `keepActivations`), so an intermediate tensor's values are only meaningful until a later op takes its buffer over.
   */
  tensorData(index: number): Float32Array | Int8Array | Int32Array {
    const d = this.data[index];
    if (!d) throw new RangeError(`tensor ${index} does not exist (the model has ${this.data.length})`);
    return d;
  }
}

function choosePath(options: InterpreterOptions): { path: KernelPath; module: WebAssembly.Module | null } {
  const module = options.wasm === undefined ? int8WasmModule() : options.wasm;
  const path = options.kernels ?? (module ? 'wasm' : 'optimized');
  if (path !== 'wasm') return { path, module: null };
  if (!module) throw new Error('the wasm kernels need the compiled conv.wasm (options.wasm, or setInt8WasmModule)');
  return { path, module };
}
