// The compiled WebGPU training step. Planned once per (model, batch size): every buffer — weights,
// gradients, optimizer state, the activations backward needs — is allocated up front in one arena, and
// every pipeline and bind group is created once. A step is then: write the batch and four scalars, encode
// the same fixed list of dispatches into one command buffer, one queue.submit. The loss leaves the GPU only
// when asked (`run(…, { read: true })` copies it to a mappable buffer; `readMetrics()` maps it).
//
// The TF.js model stays the source of truth: `importWeights` copies weights, BatchNorm statistics and the
// optimizer's slots to the GPU before training, `exportWeights` copies them back, so checkpoints, `eval`,
// `quantize` and `publish` see an ordinary model.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Optimizer, OptimizerConfig } from '../training/optimizer.ts';
import { acquireGpu, orLost, type GpuContext } from './device.ts';
import { GpuStepError, WHAT_TO_DO } from './errors.ts';
import {
  accumulateShader,
  flatGrid,
  LAYER_BINDING,
  STEP_BYTES,
  type ActivationStorage,
  type Kernel,
} from './kernels/common.wgsl.ts';
import {
  applyShader,
  bnBackwardFinalizeShader,
  bnBackwardReduceShader,
  bnFinalizeShader,
  reduceLayout,
  REDUCE_ROWS,
  type FinalizeSpec,
} from './kernels/batchnorm.wgsl.ts';
import {
  gemmGrid,
  gemmPath,
  gemmShader,
  gemmTile,
  wgradSplits,
  type DgradEpilogue,
  type GemmSpec,
} from './kernels/gemm.wgsl.ts';
import { headBackwardCount, headBackwardShader, headForwardShader, type HeadSpec } from './kernels/head.wgsl.ts';
import { optimizerShader } from './kernels/optimizer.wgsl.ts';
import { maxPoolBackwardShader, maxPoolForwardShader } from './kernels/pool.wgsl.ts';
import { planModel, type ConvBnNode, type ModelPlan } from './plan.ts';

export interface CompiledStepOptions {
  batchSize: number;
  optimizer: OptimizerConfig;
  labelSmoothing: number;
  /** Split-K slices of the filter gradients (default: as many as keep them under 256 MiB and the binding limit, at most 16). */
  splits?: number;
  /**
   * The widest GEMM tile (16, 32 or 64 columns). Default 64 on a GPU; 16 on a software adapter: lavapipe runs a
   * workgroup on one CPU thread, and its LLVM compile time grows steeply with the workgroup size (measured here,
   * first dispatch of one GEMM pipeline: 16×16 threads ≈ 30 s, 8×16 ≈ 6 s, 4×16 ≈ 2.5 s).
   */
  maxTileN?: 16 | 32 | 64;
  /**
   * Storage of the conv outputs y (default f32). f16 needs the adapter's shader-f16; whether it trains close
   * enough to f32 for a model is what chooseActivationStorage (precision.ts) checks.
   */
  activations?: ActivationStorage;
}

export interface StepStats {
  activations: ActivationStorage;
  dispatchesPerStep: number;
  submitsPerStep: number;
  /** Bytes of every GPU buffer of the arena (all persistent: also the peak). */
  bufferBytes: number;
  pipelines: number;
  adapter: string;
  features: GpuContext['features'];
}

/** GPU time of one dispatch of a profiled step. */
export interface DispatchTime {
  label: string;
  grid: [number, number, number];
  ms: number;
}

interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  grid(n: number): [number, number, number];
}

const STORAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST

/** As many split-K slices as keep the gradient buffer under 256 MiB and under the device's binding limit. */
function defaultSplits(paramCount: number, bindingLimit: number): number {
  const budget = Math.min(256 * 2 ** 20, bindingLimit);
  return Math.max(1, Math.min(16, Math.floor(budget / (4 * paramCount))));
}

export class CompiledTrainer {
  readonly plan: ModelPlan;
  private readonly buffers: GPUBuffer[] = [];
  private bytes = 0;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly dispatches: Dispatch[] = [];
  private iterations = 0;
  private readonly maxBatch: number;
  private readonly splits: number;
  private readonly yStorage: ActivationStorage;
  // Arena buffers, by role.
  private stepUniform!: GPUBuffer;
  private params!: GPUBuffer;
  private grads!: GPUBuffer;
  private decayMask!: GPUBuffer;
  private slots!: [GPUBuffer, GPUBuffer];
  private stats!: GPUBuffer;
  private labels!: GPUBuffer;
  private metrics!: GPUBuffer;
  private readback!: GPUBuffer;
  private acts: GPUBuffer[] = [];

  private constructor(
    readonly ctx: GpuContext,
    model: tfl.LayersModel,
    private readonly opts: CompiledStepOptions,
  ) {
    this.plan = planModel(model);
    this.maxBatch = opts.batchSize;
    this.splits = opts.splits ?? defaultSplits(this.plan.paramCount, ctx.device.limits.maxStorageBufferBindingSize);
    this.yStorage = opts.activations ?? 'f32';
    if (this.yStorage === 'f16' && !ctx.device.features.has('shader-f16'))
      throw new GpuStepError(
        'gpu_unsupported_model',
        `f16 activations need shader-f16, which ${ctx.adapterName} lacks; use f32 activations`,
      );
  }

  /** Plans `model` for batches of up to `opts.batchSize` images; throws GpuStepError before allocating if it cannot. */
  static async create(model: tfl.LayersModel, opts: CompiledStepOptions, ctx?: GpuContext): Promise<CompiledTrainer> {
    const trainer = new CompiledTrainer(ctx ?? (await acquireGpu()), model, opts);
    await trainer.build();
    return trainer;
  }

  get stepStats(): StepStats {
    return {
      activations: this.yStorage,
      dispatchesPerStep: this.dispatches.length,
      submitsPerStep: 1,
      bufferBytes: this.bytes,
      pipelines: this.pipelines.size,
      adapter: this.ctx.adapterName,
      features: this.ctx.features,
    };
  }

  // ---- planning ----------------------------------------------------------------------------------------

  private async build(): Promise<void> {
    const { device } = this.ctx;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    this.allocateAndRecord();
    const validation = await orLost(this.ctx, device.popErrorScope());
    const oom = await orLost(this.ctx, device.popErrorScope());
    if (oom) {
      this.destroy();
      throw new GpuStepError(
        'gpu_out_of_memory',
        `out of GPU memory: batch ${this.maxBatch} needs ${mib(this.bytes)} of GPU buffers (${oom.message}); ${WHAT_TO_DO}`,
      );
    }
    if (validation) {
      this.destroy();
      throw new GpuStepError(
        'gpu_shader_error',
        `the compiled step failed to build on ${this.ctx.adapterName}: ${validation.message}; use --gpu-step tfjs`,
      );
    }
  }

  private buffer(label: string, floats: number, usage = STORAGE): GPUBuffer {
    const size = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
    const limit = this.ctx.device.limits.maxStorageBufferBindingSize;
    if (size > limit) {
      this.destroy();
      throw new GpuStepError(
        'gpu_too_large',
        `buffer ${label} would need ${mib(size)}, over this GPU's ${mib(limit)} per binding; ${WHAT_TO_DO}`,
      );
    }
    const b = this.ctx.device.createBuffer({ label, size, usage });
    this.buffers.push(b);
    this.bytes += size;
    return b;
  }

  private pipeline(code: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (!p) {
      const module = this.ctx.device.createShaderModule({ code });
      p = this.ctx.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(code, p);
    }
    return p;
  }

  /** One dispatch of the step; a kernel's per-layer uniforms go in a buffer of their own, written once here. */
  private record(
    label: string,
    kernel: Kernel | string,
    resources: GPUBuffer[],
    grid: (n: number) => [number, number, number],
  ): void {
    const { code, layer } = typeof kernel === 'string' ? { code: kernel, layer: undefined } : kernel;
    const pipeline = this.pipeline(code);
    const entries = [this.stepUniform, ...resources].map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (layer) {
      const buffer = this.buffer(`${label}/layer`, layer.byteLength / 4, 0x40 | 0x08); // UNIFORM | COPY_DST
      this.ctx.device.queue.writeBuffer(buffer, 0, layer);
      entries.push({ binding: LAYER_BINDING, resource: { buffer } });
    }
    const bindGroup = this.ctx.device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries });
    this.dispatches.push({ label, pipeline, bindGroup, grid });
  }

  private allocateAndRecord(): void {
    const plan = this.plan;
    const N = this.maxBatch;
    const P = plan.paramCount;
    const size = (t: number) => plan.tensors[t]!.h * plan.tensors[t]!.w * plan.tensors[t]!.c;

    this.stepUniform = this.buffer('step', STEP_BYTES / 4, 0x40 | 0x08); // UNIFORM | COPY_DST
    this.params = this.buffer('params', P);
    this.grads = this.buffer('grads', this.splits * P);
    this.decayMask = this.buffer('decay-mask', P);
    this.slots = [this.buffer('slot0', P), this.buffer('slot1', P)];
    this.stats = this.buffer('bn-stats', plan.statCount);
    this.labels = this.buffer('labels', N);
    this.metrics = this.buffer('metrics', 4);
    this.readback = this.buffer('readback', 4, 0x01 | 0x08); // MAP_READ | COPY_DST
    this.acts = plan.tensors.map((_, t) => this.buffer(`act${t}`, N * size(t)));
    const grad: (GPUBuffer | undefined)[] = plan.tensors.map(() => undefined);
    const gradOf = (t: number) => (grad[t] ??= this.buffer(`grad${t}`, N * size(t)));

    const gemm = (node: ConvBnNode, mode: GemmSpec['mode'], epilogue?: DgradEpilogue): GemmSpec => ({
      mode,
      geo: node.geo,
      kernelOffset: node.kernel.offset,
      splits: mode === 'wgrad' ? wgradSplits(node.geo, N, this.splits) : 1,
      maxTileN: this.opts.maxTileN ?? (this.ctx.software ? 16 : 64),
      batch: N,
      yStorage: this.yStorage,
      paramCount: P,
      epilogue,
    });
    const convs = plan.convs.map((c, i) => {
      const pixels = c.geo.hOut * c.geo.wOut;
      // The forward GEMM leaves one partial per row tile, bn_backward_reduce one per REDUCE_ROWS rows.
      const partialRows = Math.min(gemmTile(gemm(c, 'forward')).bm, REDUCE_ROWS);
      return {
        node: c,
        index: i,
        pixels,
        // An f16 y takes half the floats' bytes.
        y: this.buffer(`${c.name}/y`, (N * pixels * c.geo.cOut) / (this.yStorage === 'f16' ? 2 : 1)),
        partials: this.buffer(`${c.name}/partials`, Math.ceil((N * pixels) / partialRows) * 2 * c.geo.cOut),
        coefF: this.buffer(`${c.name}/coef`, 4 * c.geo.cOut),
        coefB: this.buffer(`${c.name}/coef-grad`, 4 * c.geo.cOut),
      };
    });
    const finalizeSpec = (c: ConvBnNode, pixels: number, rowsPerPartial: number): FinalizeSpec => ({
      channels: c.geo.cOut,
      pixels,
      rowsPerPartial,
      epsilon: c.epsilon,
      momentum: c.momentum,
      gammaOffset: c.gamma.offset,
      betaOffset: c.beta.offset,
      meanOffset: c.movingMean.offset,
      varianceOffset: c.movingVariance.offset,
    });

    // Forward.
    for (const node of plan.nodes) {
      if (node.kind === 'convbn') {
        const c = convs[plan.convs.indexOf(node)]!;
        const spec = gemm(node, 'forward');
        this.record(
          `${node.name}/forward`,
          gemmShader(spec),
          [this.acts[node.input]!, this.params, c.y, c.partials],
          (n) => gemmGrid(spec, n),
        );
        this.record(
          `${node.name}/bn`,
          bnFinalizeShader(finalizeSpec(node, c.pixels, gemmTile(spec).bm)),
          [c.partials, this.params, c.coefF, this.stats],
          () => [node.geo.cOut, 1, 1],
        );
      } else if (node.kind === 'apply') {
        const t = plan.tensors[node.out]!;
        const resources = node.terms.flatMap((term) =>
          'bn' in term ? [convs[term.bn]!.y, convs[term.bn]!.coefF] : [this.acts[term.identity]!],
        );
        const kinds = node.terms.map((term): 'bn' | 'identity' => ('bn' in term ? 'bn' : 'identity'));
        this.record(
          `${node.name}/apply`,
          applyShader(t.c, t.h * t.w, kinds, node.relu, this.yStorage),
          [...resources, this.acts[node.out]!],
          (n) => flatGrid(n * size(node.out)),
        );
      } else {
        const g = node.geo;
        const argmax = this.buffer(`${node.name}/argmax`, N * size(node.out));
        this.record(
          `${node.name}/forward`,
          maxPoolForwardShader(g),
          [this.acts[node.input]!, this.acts[node.out]!, argmax],
          (n) => flatGrid(n * size(node.out)),
        );
        (node as { argmax?: GPUBuffer }).argmax = argmax;
      }
    }
    const headIn = plan.tensors[plan.head.input]!;
    const headSpec: HeadSpec = {
      pixels: headIn.h * headIn.w,
      channels: headIn.c,
      classes: plan.head.classes,
      smoothing: this.opts.labelSmoothing,
      kernelOffset: plan.head.kernel.offset,
      biasOffset: plan.head.bias.offset,
    };
    const pooled = this.buffer('head/pooled', N * headIn.c);
    const dlogits = this.buffer('head/dlogits', N * plan.head.classes);
    const perImage = this.buffer('head/per-image', 2 * N);
    this.record(
      'head/forward',
      headForwardShader(headSpec),
      [this.acts[plan.head.input]!, this.labels, this.params, pooled, dlogits, perImage],
      (n) => [n, 1, 1],
    );

    // Backward. A tensor's gradient starts with its first contribution (write), later ones accumulate; an
    // identity shortcut's contribution is folded into the next dgrad's epilogue, or becomes the gradient
    // buffer itself when it is the only one.
    this.record(
      'head/backward',
      headBackwardShader(headSpec),
      [pooled, dlogits, perImage, this.params, this.grads, gradOf(plan.head.input), this.metrics],
      (n) => flatGrid(headBackwardCount(headSpec, n)),
    );
    const dzFloats = Math.max(...plan.convs.map((c) => N * c.geo.hOut * c.geo.wOut * c.geo.cOut));
    let dz: GPUBuffer | undefined;
    const dzScratch = () => (dz ??= this.buffer('dz', dzFloats));
    const started = plan.tensors.map((_, t) => t === plan.head.input);
    const pending: GPUBuffer[][] = plan.tensors.map(() => []);
    const resolve = (t: number): GPUBuffer => {
      const extra = pending[t]!;
      if (!started[t]) {
        const first = extra.shift();
        if (!first)
          throw new GpuStepError('gpu_unsupported_model', `tensor ${t} gets no gradient; use --gpu-step tfjs`);
        grad[t] = first;
        started[t] = true;
      }
      for (const a of extra.splice(0))
        this.record(`grad${t}/accumulate`, accumulateShader(size(t)), [a, grad[t]!], (n) => flatGrid(n * size(t)));
      return grad[t]!;
    };

    for (const node of [...plan.nodes].reverse()) {
      if (node.kind === 'convbn') continue;
      if (node.kind === 'maxpool') {
        const argmax = (node as { argmax?: GPUBuffer }).argmax!;
        if (started[node.input])
          throw new GpuStepError(
            'gpu_unsupported_model',
            `${node.name}: its input has another consumer; use --gpu-step tfjs`,
          );
        this.record(
          `${node.name}/backward`,
          maxPoolBackwardShader(node.geo),
          [resolve(node.out), argmax, gradOf(node.input)],
          (n) => flatGrid(n * size(node.input)),
        );
        started[node.input] = true;
        continue;
      }
      const t = plan.tensors[node.out]!;
      const pixels = t.h * t.w;
      const bnTerms = node.terms.filter((x): x is { bn: number } => 'bn' in x).map((x) => convs[x.bn]!);
      if (bnTerms.length === 0)
        throw new GpuStepError('gpu_unsupported_model', `${node.name}: a sum without BatchNorm; use --gpu-step tfjs`);
      const g = resolve(node.out);
      const d = this.buffer(`${node.name}/d`, N * size(node.out));
      const { ct } = reduceLayout(t.c);
      const reduceGrid = (n: number): [number, number, number] => [
        Math.ceil(t.c / ct),
        Math.ceil((n * pixels) / REDUCE_ROWS),
        1,
      ];
      bnTerms.forEach((c, i) => {
        const spec = { channels: t.c, pixels, mask: i === 0, relu: node.relu, yStorage: this.yStorage };
        const io = i === 0 ? [g, this.acts[node.out]!, c.y, c.coefF, c.partials, d] : [d, c.y, c.coefF, c.partials];
        this.record(`${c.node.name}/bn-backward-reduce`, bnBackwardReduceShader(spec), io, reduceGrid);
        this.record(
          `${c.node.name}/bn-backward`,
          bnBackwardFinalizeShader(finalizeSpec(c.node, pixels, REDUCE_ROWS)),
          [c.partials, this.params, c.coefF, c.coefB, this.grads],
          () => [t.c, 1, 1],
        );
      });
      for (const term of node.terms) if ('identity' in term) pending[term.identity]!.push(d);
      for (const c of bnTerms) {
        const input = c.node.input;
        // An aligned dgrad reads dz, which the wgrad stores as it stages it (one scratch buffer: each dz is read
        // by the dgrad right after its wgrad).
        const dzShared = input !== 0 && gemmPath(gemm(c.node, 'dgrad')) === 'aligned';
        const w = { ...gemm(c.node, 'wgrad'), writeDz: dzShared };
        this.record(
          `${c.node.name}/wgrad`,
          gemmShader(w),
          [this.acts[c.node.input]!, d, c.y, c.coefB, this.grads, ...(dzShared ? [dzScratch()] : [])],
          (n) => gemmGrid(w, n),
        );
        if (input === 0) continue; // the image needs no gradient
        let epilogue: DgradEpilogue = 'accumulate';
        const extra: GPUBuffer[] = [];
        if (!started[input]) {
          const addend = pending[input]!.shift();
          epilogue = addend ? 'add' : 'write';
          if (addend) extra.push(addend);
        }
        const spec = gemm(c.node, 'dgrad', epilogue);
        this.record(
          `${c.node.name}/dgrad`,
          gemmShader(spec),
          dzShared
            ? [dzScratch(), this.params, gradOf(input), ...extra]
            : [d, c.y, c.coefB, this.params, gradOf(input), ...extra],
          (n) => gemmGrid(spec, n),
        );
        started[input] = true;
      }
    }
    this.record(
      'optimizer',
      optimizerShader(this.opts.optimizer, P, this.splits),
      [this.grads, this.decayMask, this.params, this.slots[0], this.slots[1]],
      () => flatGrid(P),
    );
  }

  // ---- the step -----------------------------------------------------------------------------------------

  /** Encodes and submits one step (one command buffer, one submit); with `read`, the loss is copied out for readMetrics. */
  run(batch: { x: Float32Array; y: Int32Array; count: number }, lr: number, opts: { read?: boolean } = {}): void {
    if (this.ctx.lost) throw this.ctx.lost;
    const n = batch.count;
    if (n < 2 || n > this.maxBatch)
      throw new GpuStepError('gpu_too_large', `batch of ${n} images; this step was planned for 2…${this.maxBatch}`);
    this.writeStepInputs(batch, lr);
    const { device } = this.ctx;
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      const [x, y, z] = d.grid(n);
      pass.dispatchWorkgroups(x, y, z);
    }
    pass.end();
    if (opts.read) encoder.copyBufferToBuffer(this.metrics, 0, this.readback, 0, 16);
    device.queue.submit([encoder.finish()]);
  }

  /** The step's inputs: the batch, its labels and the per-step uniforms (batch size, lr, Adam's corrections). */
  private writeStepInputs(batch: { x: Float32Array; y: Int32Array; count: number }, lr: number): void {
    const n = batch.count;
    const { device } = this.ctx;
    this.iterations++;
    const b1 = this.opts.optimizer.beta1 ?? 0.9;
    const b2 = this.opts.optimizer.beta2 ?? 0.999;
    const uniforms = new ArrayBuffer(STEP_BYTES);
    new Uint32Array(uniforms, 0, 1)[0] = n;
    new Float32Array(uniforms, 4, 3).set([lr, 1 - b1 ** this.iterations, 1 - b2 ** this.iterations]);
    device.queue.writeBuffer(this.stepUniform, 0, uniforms);
    device.queue.writeBuffer(this.acts[0]!, 0, batch.x.buffer, batch.x.byteOffset, batch.x.byteLength);
    device.queue.writeBuffer(this.labels, 0, batch.y.buffer, batch.y.byteOffset, n * 4);
  }

  /** Loss and correct count of the last step run with `read` (waits for the GPU; never hangs on a lost device). */
  async readMetrics(): Promise<{ loss: number; correct: number }> {
    await orLost(this.ctx, this.readback.mapAsync(GPUMapMode.READ));
    const v = new Float32Array(this.readback.getMappedRange().slice(0, 8));
    this.readback.unmap();
    return { loss: v[0]!, correct: Math.round(v[1]!) };
  }

  /**
   * One step with every dispatch in a compute pass of its own, timed with timestamp queries (one submit):
   * GPU milliseconds per dispatch, for the kernel benchmark (bench/train-gpu-kernels.ts). Needs the
   * adapter's `timestamp-query`. The step really runs (weights change).
   */
  async profile(batch: { x: Float32Array; y: Int32Array; count: number }, lr: number): Promise<DispatchTime[]> {
    const { device } = this.ctx;
    if (!device.features.has('timestamp-query'))
      throw new GpuStepError(
        'gpu_unsupported_model',
        `${this.ctx.adapterName} has no timestamp queries to profile with`,
      );
    const count = 2 * this.dispatches.length;
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolved = device.createBuffer({ size: count * 8, usage: 0x200 | 0x04 }); // QUERY_RESOLVE | COPY_SRC
    const staging = device.createBuffer({ size: count * 8, usage: 0x01 | 0x08 }); // MAP_READ | COPY_DST
    try {
      const n = batch.count;
      this.writeStepInputs(batch, lr);
      const encoder = device.createCommandEncoder();
      this.dispatches.forEach((d, i) => {
        const pass = encoder.beginComputePass({
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
        });
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(...d.grid(n));
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
      device.queue.submit([encoder.finish()]);
      await orLost(this.ctx, staging.mapAsync(GPUMapMode.READ));
      const ns = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      return this.dispatches.map((d, i) => ({
        label: d.label,
        grid: d.grid(n),
        ms: Number(ns[2 * i + 1]! - ns[2 * i]!) / 1e6,
      }));
    } finally {
      querySet.destroy();
      resolved.destroy();
      staging.destroy();
    }
  }

  /** Waits until the GPU has finished everything submitted. */
  async finish(): Promise<void> {
    // Mapping a small buffer completes after all earlier submits.
    await this.download(this.metrics, 4);
  }

  // ---- weights in and out -------------------------------------------------------------------------------

  async importWeights(optimizer?: Optimizer): Promise<void> {
    const { queue } = this.ctx.device;
    const plan = this.plan;
    const mask = new Float32Array(plan.paramCount);
    for (const [i, ref] of plan.params.entries()) {
      const data = (await plan.paramVariables[i]!.read().data()) as Float32Array;
      queue.writeBuffer(this.params, ref.offset * 4, data);
      if (ref.decays) mask.fill(1, ref.offset, ref.offset + ref.size);
    }
    queue.writeBuffer(this.decayMask, 0, mask);
    for (const c of plan.convs) {
      for (const s of [c.movingMean, c.movingVariance])
        queue.writeBuffer(this.stats, s.offset * 4, (await s.variable.read().data()) as Float32Array);
    }
    const zeros = new Float32Array(this.splits * plan.paramCount);
    queue.writeBuffer(this.grads, 0, zeros);
    for (const slot of this.slots) queue.writeBuffer(slot, 0, zeros, 0, plan.paramCount);
    if (optimizer) {
      for (const { name, tensor } of optimizer.getState()) {
        const [i, j] = name.split('/').map(Number) as [number, number];
        queue.writeBuffer(this.slots[j]!, plan.params[i]!.offset * 4, (await tensor.data()) as Float32Array);
      }
      this.iterations = optimizer.iterations;
    }
    await this.finish();
  }

  async exportWeights(optimizer?: Optimizer): Promise<void> {
    const plan = this.plan;
    const [params, stats, slot0, slot1] = await Promise.all([
      this.download(this.params, plan.paramCount),
      this.download(this.stats, plan.statCount),
      ...(optimizer ? this.slots.map((s) => this.download(s, plan.paramCount)) : []),
    ]);
    tf.tidy(() => {
      for (const [i, ref] of plan.params.entries()) {
        const v = plan.paramVariables[i]!;
        v.write(tf.tensor(params!.subarray(ref.offset, ref.offset + ref.size), v.shape as number[]));
      }
      for (const c of plan.convs) {
        for (const s of [c.movingMean, c.movingVariance]) {
          s.variable.write(
            tf.tensor(
              stats!.subarray(s.offset, s.offset + s.variable.shape.reduce((a: number, b) => a * (b ?? 1), 1)),
              s.variable.shape as number[],
            ),
          );
        }
      }
      if (optimizer) {
        const state = optimizer.getState().map(({ name, tensor }) => {
          const [i, j] = name.split('/').map(Number) as [number, number];
          const ref = plan.params[i]!;
          return {
            name,
            tensor: tf.tensor((j === 0 ? slot0 : slot1)!.subarray(ref.offset, ref.offset + ref.size), tensor.shape),
          };
        });
        optimizer.setState(this.iterations, state);
      }
    });
  }

  private async download(buffer: GPUBuffer, floats: number): Promise<Float32Array> {
    const { device } = this.ctx;
    const bytes = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
    const staging = device.createBuffer({ size: bytes, usage: 0x01 | 0x08 });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    try {
      await orLost(this.ctx, staging.mapAsync(GPUMapMode.READ));
      return new Float32Array(staging.getMappedRange().slice(0, floats * 4));
    } finally {
      staging.destroy();
    }
  }

  /** For tests: a copy of one arena buffer by label prefix (e.g. `conv1_conv/y`, `params`). */
  async debugRead(label: string, floats: number): Promise<Float32Array> {
    const b = this.buffers.find((x) => x.label === label);
    if (!b) throw new Error(`no buffer ${label}`);
    return this.download(b, floats);
  }

  destroy(): void {
    for (const b of this.buffers.splice(0)) b.destroy();
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
