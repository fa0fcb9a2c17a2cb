// The GPUDevice the compiled step runs on: its own device on the process's WebGPU adapter (Dawn), with the
// limits the step needs raised to what the adapter allows, and `device.lost` turned into a flag the step
// checks, so a lost device becomes a coded error instead of a promise that never settles.
import { configureVulkanDriver, isSoftwareAdapter } from '../backends/webgpu.ts';
import { GpuStepError, WHAT_TO_DO } from './errors.ts';

export interface GpuContext {
  device: GPUDevice;
  adapterName: string;
  software: boolean;
  /** Optional features the adapter has (the step records them; see README of train/src/gpu). */
  features: { shaderF16: boolean; subgroups: boolean };
  /** Set once the device is lost; every later call throws it. */
  lost: GpuStepError | null;
  /** Settles when the device is lost (never otherwise): raced against every wait on the GPU. */
  lostPromise: Promise<GpuStepError>;
}

// Dawn's instance must outlive every device made from it: if its JS object is collected, the next event
// poll touches freed memory (seen here as aborts and hangs). Held for the life of the process.
let ownInstance: GPU | undefined;

async function gpuEntry(): Promise<GPU> {
  const existing = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (existing) return existing;
  if (ownInstance) return ownInstance;
  configureVulkanDriver();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  ownInstance = create([]);
  return ownInstance;
}

export async function acquireGpu(): Promise<GpuContext> {
  const gpu = await gpuEntry();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    throw new GpuStepError(
      'gpu_no_adapter',
      `no WebGPU adapter: no GPU driver found (scripts/system-deps/webgpu.sh installs a software one); ${WHAT_TO_DO}`,
    );
  }
  const info = adapter.info as unknown as {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
  };
  const a = adapter.limits;
  // Timestamp queries serve the kernel profile (CompiledTrainer.profile), shader-f16 the f16 activation storage
  // (precision.ts decides whether to use it); asking for what the adapter has costs nothing.
  const requiredFeatures = (['timestamp-query', 'shader-f16'] as const).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBuffersPerShaderStage: Math.min(a.maxStorageBuffersPerShaderStage, 10),
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: Math.min(a.maxComputeInvocationsPerWorkgroup, 256),
    },
  });
  const ctx: GpuContext = {
    device,
    adapterName: info.description || info.device || info.vendor || 'unknown adapter',
    software: isSoftwareAdapter(info),
    features: { shaderF16: adapter.features.has('shader-f16'), subgroups: adapter.features.has('subgroups') },
    lost: null,
    lostPromise: device.lost.then((l) => {
      ctx.lost = new GpuStepError(
        'gpu_device_lost',
        `the GPU device was lost (${l.reason}${l.message ? `: ${l.message}` : ''}); the last checkpoint is intact: resume with --resume, or ${WHAT_TO_DO}`,
      );
      return ctx.lost;
    }),
  };
  return ctx;
}

/** Waits for `p`, or throws the device-lost error if the device goes first: no wait on the GPU can hang. */
export async function orLost<T>(ctx: GpuContext, p: Promise<T>): Promise<T> {
  if (ctx.lost) throw ctx.lost;
  return Promise.race([p, ctx.lostPromise.then((e) => Promise.reject(e))]);
}
