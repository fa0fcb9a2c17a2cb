// Optimisers written out (rather than tf.train.*) so that the learning rate can change every step,
// weight decay can skip the parameters it should not touch, and the whole state can be checkpointed.
//
// Weight decay:
//  - sgd and adam: L2, i.e. wd·w is added to the gradient (PyTorch's `weight_decay`, what He et al.
//    mean by "weight decay of 0.0001").
//  - adamw: decoupled (Loshchilov & Hutter): w ← w − lr·wd·w, separate from the Adam update.
// Decay applies only to weight matrices and conv kernels (rank ≥ 2); biases and BatchNorm γ/β are
// exempt, as is standard. BatchNorm moving statistics are not trainable and never reach here.
import * as tf from '@tensorflow/tfjs-core';

import type { OptimizerKind } from './optimizer-kinds.ts';

export type { OptimizerKind };

export interface OptimizerConfig {
  kind: OptimizerKind;
  /** SGD momentum (seed 003 and He et al. use 0.9). */
  momentum: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export function decays(v: tf.Variable): boolean {
  return v.shape.length >= 2;
}

export class Optimizer {
  /** Number of updates applied so far (Adam's bias correction uses it). */
  iterations = 0;
  private readonly slots: tf.Variable[][];
  /** Per-variable learning-rate factors (fine-tuning: 0 = frozen); all 1 unless set. */
  private lrScales: number[] | null = null;

  constructor(
    readonly config: OptimizerConfig,
    private readonly vars: tf.Variable[],
  ) {
    const slotCount = config.kind === 'sgd' ? (config.momentum > 0 ? 1 : 0) : 2;
    // tf.variable shares the initial tensor's data but does not own the tensor: dispose it, or every slot leaks
    // one tensor (and, after the first assign, a parameter-sized buffer).
    this.slots = vars.map((v) =>
      Array.from({ length: slotCount }, () => {
        const zeros = tf.zerosLike(v);
        const slot = tf.variable(zeros, false);
        zeros.dispose();
        return slot;
      }),
    );
  }

  setLrScales(scales: number[] | null): void {
    if (scales && scales.length !== this.vars.length)
      throw new Error(`expected ${this.vars.length} learning-rate factors, got ${scales.length}`);
    this.lrScales = scales;
  }

  /** Applies one update; `grads[i]` belongs to `vars[i]`. Does not dispose the gradients. */
  apply(grads: tf.Tensor[], baseLr: number): void {
    const { kind, momentum, weightDecay } = this.config;
    const b1 = this.config.beta1 ?? 0.9;
    const b2 = this.config.beta2 ?? 0.999;
    const eps = this.config.epsilon ?? 1e-8;
    this.iterations++;
    const t = this.iterations;
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        const scale = this.lrScales?.[i] ?? 1;
        if (scale === 0) return;
        const lr = baseLr * scale;
        const slots = this.slots[i]!;
        let g = grads[i]!;
        const wd = decays(w) ? weightDecay : 0;
        if (wd > 0 && kind !== 'adamw') g = tf.add(g, tf.mul(w, wd));
        if (kind === 'sgd') {
          if (momentum > 0) {
            const v = slots[0]!;
            v.assign(tf.add(tf.mul(v, momentum), g));
            g = v;
          }
          w.assign(tf.sub(w, tf.mul(g, lr)));
          return;
        }
        const [m, v] = slots as [tf.Variable, tf.Variable];
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const mHat = tf.div(m, 1 - b1 ** t);
        const vHat = tf.div(v, 1 - b2 ** t);
        let next = tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), eps)), lr));
        if (kind === 'adamw' && wd > 0) next = tf.sub(next, tf.mul(w, lr * wd));
        w.assign(next);
      });
    });
  }

  /** Slot tensors in a fixed order (variable index, slot index), for checkpoints. */
  getState(): NamedTensor[] {
    return this.slots.flatMap((slots, i) => slots.map((s, j) => ({ name: `${i}/${j}`, tensor: s as tf.Tensor })));
  }

  setState(iterations: number, state: NamedTensor[]): void {
    const byName = new Map(state.map((s) => [s.name, s.tensor]));
    this.slots.forEach((slots, i) =>
      slots.forEach((s, j) => {
        const t = byName.get(`${i}/${j}`);
        if (!t || t.shape.join() !== s.shape.join())
          throw new Error(`optimizer state ${i}/${j} is missing or has the wrong shape`);
        s.assign(t);
      }),
    );
    this.iterations = iterations;
  }

  dispose(): void {
    this.slots.flat().forEach((s) => s.dispose());
  }
}
