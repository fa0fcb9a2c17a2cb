// The explicit op registry: which kernel runs each builtin op. Registering an op twice is a programming
// error; an op with no kernel is rejected when a model is loaded, never in the request path.
import type { OpName } from './ir.ts';
import { TfliteError } from './errors.ts';
import type { Kernel } from './kernels/kernel.ts';
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

export class OpRegistry {
  private readonly kernels = new Map<OpName, Kernel>();

  register<P>(kernel: Kernel<P>): this {
    if (this.kernels.has(kernel.op)) throw new Error(`a kernel for ${kernel.op} is already registered`);
    this.kernels.set(kernel.op, kernel as unknown as Kernel);
    return this;
  }

  get(op: string): Kernel {
    const kernel = this.kernels.get(op as OpName);
    if (!kernel) throw new TfliteError('unsupported_op', `operator ${op} has no kernel (supported: ${[...this.kernels.keys()].join(', ')})`);
    return kernel;
  }
}

export const builtinOps = new OpRegistry()
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
  .register(softmax);
