// The explicit op resolver (TFLite Micro's MicroMutableOpResolver): which kernel runs each builtin op on each
// path. The interpreter asks it once per op at load, for the path it was created with; a path without its own
// kernel for an op takes the next simpler path's (wasm → optimized → reference). Registering an op twice on one
// path is a programming error; an op with no kernel is rejected when a model is loaded, never in the request path.
import type { OpName } from './ir.ts';
import { TfliteError } from './errors.ts';
import type { Kernel, KernelPath } from './kernels/kernel.ts';
import { add } from './kernels/add.ts';
import { averagePool2d } from './kernels/average-pool-2d.ts';
import { concatenation } from './kernels/concatenation.ts';
import { conv2d } from './kernels/conv-2d.ts';
import { dequantize } from './kernels/dequantize.ts';
import { fullyConnected } from './kernels/fully-connected.ts';
import { maxPool2d } from './kernels/max-pool-2d.ts';
import { mean } from './kernels/mean.ts';
import { quantize } from './kernels/quantize.ts';
import { reshape } from './kernels/reshape.ts';
import { softmax } from './kernels/softmax.ts';
import { addOptimized } from './kernels/optimized/add.ts';
import { conv2dOptimized } from './kernels/optimized/conv-2d.ts';
import { maxPool2dOptimized } from './kernels/optimized/max-pool-2d.ts';
import { addWasm } from './kernels/wasm/add.ts';
import { conv2dWasm } from './kernels/wasm/conv-2d.ts';
import { fullyConnectedWasm } from './kernels/wasm/fully-connected.ts';
import { maxPool2dWasm } from './kernels/wasm/max-pool-2d.ts';
import { quantizeWasm } from './kernels/wasm/quantize.ts';

const FALLBACK: Record<KernelPath, KernelPath | null> = { wasm: 'optimized', optimized: 'reference', reference: null };

export class OpResolver {
  private readonly kernels = new Map<OpName, Partial<Record<KernelPath, Kernel>>>();

  register<P>(kernel: Kernel<P>): this {
    const paths = this.kernels.get(kernel.op) ?? {};
    if (paths[kernel.path]) throw new Error(`a ${kernel.path} kernel for ${kernel.op} is already registered`);
    paths[kernel.path] = kernel as unknown as Kernel;
    this.kernels.set(kernel.op, paths);
    return this;
  }

  /** The kernel that runs `op` on `path`: the path's own, else the nearest simpler path's. */
  get(op: string, path: KernelPath): Kernel {
    const paths = this.kernels.get(op as OpName) ?? {};
    for (let p: KernelPath | null = path; p; p = FALLBACK[p]) {
      const kernel = paths[p];
      if (kernel) return kernel;
    }
    throw new TfliteError(
      'unsupported_op',
      `operator ${op} has no ${path} kernel (supported: ${[...this.kernels.keys()].join(', ')})`,
    );
  }
}

export const builtinOps = new OpResolver()
  .register(quantize)
  .register(dequantize)
  .register(conv2d)
  .register(maxPool2d)
  .register(averagePool2d)
  .register(mean)
  .register(add)
  .register(fullyConnected)
  .register(concatenation)
  .register(reshape)
  .register(softmax)
  .register(conv2dOptimized)
  .register(maxPool2dOptimized)
  .register(addOptimized)
  .register(quantizeWasm)
  .register(conv2dWasm)
  .register(maxPool2dWasm)
  .register(addWasm)
  .register(fullyConnectedWasm);
