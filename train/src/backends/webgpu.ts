// WebGPU through Dawn (npm `webgpu`): a real GPU where there is one, else a software Vulkan adapter
// (Mesa lavapipe, installed privately by scripts/system-deps/webgpu.sh) that CI uses to test this path.
// Synchronous reads (dataSync) do not work here: callers use `await data()`.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { activate } from './activate.ts';
import type { BackendReady, InitContext } from './index.ts';

/** Where scripts/system-deps/webgpu.sh puts lavapipe's ICD file (override with RESNET_EDGE_VK_ICD). */
export const DEFAULT_LAVAPIPE_ICD = '/opt/resnet-edge/mesa/lvp_icd.json';

/**
 * Points the Vulkan loader at the private lavapipe ICD unless the user already chose drivers. The loader
 * reads these variables when Dawn creates its Vulkan instance, so setting them in process.env now works;
 * the ICD's library_path is absolute, so no LD_LIBRARY_PATH is needed (the system libdrm suffices).
 */
export function configureVulkanDriver(env: NodeJS.ProcessEnv = process.env): string | undefined {
  env['XDG_RUNTIME_DIR'] ??= tmpdir();
  if (env['VK_DRIVER_FILES'] || env['VK_ICD_FILENAMES']) return env['VK_DRIVER_FILES'] ?? env['VK_ICD_FILENAMES'];
  const icd = env['RESNET_EDGE_VK_ICD'] ?? DEFAULT_LAVAPIPE_ICD;
  if (!existsSync(icd)) return undefined;
  env['VK_DRIVER_FILES'] = icd;
  return icd;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  const text = `${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`.toLowerCase();
  return /software|llvmpipe|lavapipe|swiftshader/.test(text);
}

export async function initWebGpu(ctx: InitContext): Promise<BackendReady> {
  const icd = configureVulkanDriver();
  const { create, globals } = await import('webgpu');
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (adapter === null) {
    throw new Error(
      `no WebGPU adapter: no GPU driver found${icd ? ` (tried Vulkan ICD ${icd})` : ''}; scripts/system-deps/webgpu.sh installs a software one`,
    );
  }
  const info = adapter.info as AdapterInfoLike;
  const name = info.description || info.device || info.vendor || 'unknown adapter';
  const software = isSoftwareAdapter(info);
  if (software && !ctx.explicit && process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'] !== '1') {
    throw new Error(
      `only a software adapter is available (${name}); it trains slower than wasm, so auto skips it (use --backend webgpu or RESNET_EDGE_ALLOW_SOFTWARE_GPU=1)`,
    );
  }
  // tfjs-backend-webgpu looks for the browser globals (navigator.gpu, GPUBufferUsage, …) when it loads.
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  await activate('webgpu');
  return { tfBackend: 'webgpu', detail: `Dawn on ${name}${software ? ' (software adapter)' : ''}` };
}
