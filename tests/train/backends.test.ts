// Backend selection: what `auto` picks on this machine and why it skipped the others, explicit choices
// that cannot start, and the tfjs-core identity check for the optional native packages.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, initBackend, isBackendChoice } from '../../train/src/backends/index.ts';
import { checkSharedCore, resolvePackage } from '../../train/src/backends/native.ts';
import { isSoftwareAdapter } from '../../train/src/backends/webgpu.ts';

const nativeInstalled = resolvePackage('@tensorflow/tfjs-node', import.meta.url) !== undefined;

describe('initBackend', () => {
  it('auto without a native package or a hardware GPU lands on wasm and says why it skipped the rest', async () => {
    const before = process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'];
    delete process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'];
    const logs: string[] = [];
    const info = await initBackend('auto', (m) => logs.push(m));
    if (before !== undefined) process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'] = before;
    if (nativeInstalled) {
      expect(info.tfBackend).toBe('tensorflow');
      return;
    }
    if (info.name === 'webgpu') {
      // A machine with a real GPU: auto may take it, but never a software rasteriser unasked.
      expect(info.detail).not.toMatch(/software adapter/);
      return;
    }
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const skipped = Object.fromEntries(info.fallbacks.map((f) => [f.name, f.reason]));
    expect(skipped['tfjs-node-gpu']).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    expect(skipped['tfjs-node']).toMatch(/@tensorflow\/tfjs-node is not installed/);
    // webgpu is skipped either for lack of an adapter or because the only one is a software rasteriser.
    expect(skipped['webgpu']).toMatch(/no WebGPU adapter|only a software adapter/);
    expect(logs.some((l) => l.startsWith('backend: wasm'))).toBe(true);
  });

  it('an explicit backend that cannot start fails with backend_unavailable and the reason', async () => {
    if (nativeInstalled) return;
    const err = await initBackend('tfjs-node').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe('backend_unavailable');
    expect((err as BackendError).message).toMatch(
      /backend tfjs-node cannot start: @tensorflow\/tfjs-node is not installed/,
    );
  });

  it('rejects an unknown name and refuses to switch once tensors exist', async () => {
    expect(isBackendChoice('wasm')).toBe(true);
    expect(isBackendChoice('cuda')).toBe(false);
    await expect(initBackend('cuda' as never)).rejects.toMatchObject({ code: 'backend_unknown' });
    const t = tf.scalar(1);
    await expect(initBackend('cpu')).rejects.toMatchObject({ code: 'backend_too_late' });
    t.dispose();
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', fallbacks: [] });
  });
});

describe('tfjs-node must load the trainer’s tfjs-core', () => {
  // A throw-away node_modules tree laid out as npm would: tfjs-node → @tensorflow/tfjs → tfjs-core.
  const root = mkdtempSync(join(tmpdir(), 'backends-core-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  function pkg(dir: string, name: string, version: string): string {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version }));
    return join(dir, 'package.json');
  }
  const ours = { dir: join(root, 'node_modules/@tensorflow/tfjs-core'), version: '4.22.0' };
  pkg(ours.dir, '@tensorflow/tfjs-core', '4.22.0');

  it('hoisted (deduplicated) core is the same instance', () => {
    const nodePkg = pkg(join(root, 'node_modules/@tensorflow/tfjs-node'), '@tensorflow/tfjs-node', '4.22.0');
    pkg(join(root, 'node_modules/@tensorflow/tfjs'), '@tensorflow/tfjs', '4.22.0');
    const check = checkSharedCore({ ...ours, dir: resolvePackage('@tensorflow/tfjs-core', nodePkg)!.dir }, nodePkg);
    expect(check).toMatchObject({ ok: true, sameInstance: true });
  });

  it('a nested core of another version is refused with both versions named', () => {
    const nodeDir = join(root, 'other/node_modules/@tensorflow/tfjs-node');
    const nodePkg = pkg(nodeDir, '@tensorflow/tfjs-node', '4.10.0');
    pkg(join(nodeDir, 'node_modules/@tensorflow/tfjs'), '@tensorflow/tfjs', '4.10.0');
    pkg(join(nodeDir, 'node_modules/@tensorflow/tfjs-core'), '@tensorflow/tfjs-core', '4.10.0');
    const check = checkSharedCore(ours, nodePkg);
    expect(check.ok).toBe(false);
    expect(check.reason).toMatch(/bundles tfjs-core 4\.10\.0 but the trainer uses 4\.22\.0/);
  });

  it('a nested copy of the same version is accepted but not reported as the same instance', () => {
    const nodeDir = join(root, 'same/node_modules/@tensorflow/tfjs-node');
    const nodePkg = pkg(nodeDir, '@tensorflow/tfjs-node', '4.22.0');
    pkg(join(nodeDir, 'node_modules/@tensorflow/tfjs-core'), '@tensorflow/tfjs-core', '4.22.0');
    expect(checkSharedCore(ours, nodePkg)).toMatchObject({ ok: true, sameInstance: false });
  });
});

describe('software adapter detection', () => {
  it('recognises lavapipe/llvmpipe and SwiftShader, not a real GPU', () => {
    expect(isSoftwareAdapter({ architecture: 'software', description: 'llvmpipe: Mesa 25.0.7' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA A10G' })).toBe(false);
  });
});
